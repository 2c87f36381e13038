#pragma once
// Turns a TCP connection that rtpof accepted itself into a DCMTK association, so that rtpof, not
// DCMTK's pool, owns the accept loop and the worker threads (docs/architecture.md, "The association
// layer"). DCMTK 3.6.7 takes an already-open socket only through one process-wide variable
// (dcmExternalSocketHandle); a mutex serialises its use, held only until DCMTK has read it (the
// transport layer's createConnection), so a slow TLS handshake or a slow peer never holds it.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dcmlayer.h>

#include <memory>
#include <string>

namespace rtpof::scp {

class AssociationHandoff {
 public:
  // `secure_layer`: the TLS layer of a TLS port (outlives this object), or nullptr for plain DICOM.
  AssociationHandoff(int acse_timeout_s, DcmTransportLayer* secure_layer);
  ~AssociationHandoff();
  AssociationHandoff(const AssociationHandoff&) = delete;
  AssociationHandoff& operator=(const AssociationHandoff&) = delete;

  struct Received {
    T_ASC_Association* association = nullptr;  // set when an A-ASSOCIATE-RQ was read; caller destroys it
    std::string error;                          // otherwise why not (the socket is then closed)
  };
  // Takes ownership of `socket_fd`: reads the A-ASSOCIATE-RQ (after the TLS handshake on a TLS port).
  // Thread-safe; called from each worker thread.
  Received receive(int socket_fd);

 private:
  class Layer;
  std::unique_ptr<Layer> layer_;
  T_ASC_Network* network_ = nullptr;
  int acse_timeout_s_;
  bool secure_;
};

// Ends an association that receive() returned: drop the connection and free it.
void drop_association(T_ASC_Association*& association);

}  // namespace rtpof::scp
