#include "scp/association_handoff.hpp"

#include <dcmtk/dcmnet/dul.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>

namespace rtpof::scp {
namespace {

// dcmExternalSocketHandle is DCMTK's process-wide variable; every listener of the process shares
// this one lock on it (the only mutable state of its kind here, and it guards DCMTK's own).
std::mutex& external_socket_lock() {
  static std::mutex lock;
  return lock;
}

constexpr DcmNativeSocketType no_socket = -1;

// Which thread holds the lock: createConnection() runs on the thread that called receive(), after
// DCMTK has copied the socket out of the global, and releases it there.
thread_local std::unique_lock<std::mutex>* held_by_this_thread = nullptr;

void release_if_held() {
  if (held_by_this_thread && held_by_this_thread->owns_lock()) {
    dcmExternalSocketHandle.set(no_socket);
    held_by_this_thread->unlock();
  }
}

}  // namespace

// Plain connections come from DCMTK's own TCP connection; TLS ones from the port's TLS layer.
class AssociationHandoff::Layer : public DcmTransportLayer {
 public:
  explicit Layer(DcmTransportLayer* secure) : secure_(secure) {}
  DcmTransportConnection* createConnection(DcmNativeSocketType socket, OFBool use_secure) override {
    release_if_held();
    if (use_secure && secure_) return secure_->createConnection(socket, use_secure);
    return DcmTransportLayer::createConnection(socket, use_secure);
  }

 private:
  DcmTransportLayer* secure_;
};

AssociationHandoff::AssociationHandoff(int acse_timeout_s, DcmTransportLayer* secure_layer)
    : layer_(std::make_unique<Layer>(secure_layer)), acse_timeout_s_(acse_timeout_s), secure_(secure_layer != nullptr) {
  // With an external socket set, DCMTK creates no listening socket of its own: the port is rtpof's.
  // Any open descriptor will do for that test; standard error is always open.
  std::lock_guard<std::mutex> lock(external_socket_lock());
  dcmExternalSocketHandle.set(STDERR_FILENO);
  const OFCondition made = ASC_initializeNetwork(NET_ACCEPTOR, 0, acse_timeout_s, &network_);
  dcmExternalSocketHandle.set(no_socket);
  if (made.bad()) throw std::runtime_error(std::string("cannot set up DICOM networking: ") + made.text());
  const OFCondition layered = ASC_setTransportLayer(network_, layer_.get(), 0);
  if (layered.bad()) {
    ASC_dropNetwork(&network_);
    throw std::runtime_error(std::string("cannot set up the DICOM transport layer: ") + layered.text());
  }
}

AssociationHandoff::~AssociationHandoff() {
  if (network_) ASC_dropNetwork(&network_);
}

AssociationHandoff::Received AssociationHandoff::receive(int socket_fd) {
  Received out;
  std::unique_lock<std::mutex> lock(external_socket_lock());
  held_by_this_thread = &lock;
  dcmExternalSocketHandle.set(socket_fd);
  T_ASC_Association* association = nullptr;
  const OFCondition cond = ASC_receiveAssociation(network_, &association, ASC_MAXIMUMPDUSIZE, nullptr, nullptr,
                                                  secure_ ? OFTrue : OFFalse, DUL_NOBLOCK, acse_timeout_s_);
  // Still held: DCMTK failed before it made a connection of the socket, which is then still ours.
  const bool socket_still_ours = lock.owns_lock();
  release_if_held();
  held_by_this_thread = nullptr;
  if (cond.good()) {
    out.association = association;
    return out;
  }
  out.error = cond.text();
  if (association) drop_association(association);
  if (socket_still_ours) ::close(socket_fd);
  return out;
}

void drop_association(T_ASC_Association*& association) {
  if (!association) return;
  ASC_dropAssociation(association);
  ASC_destroyAssociation(&association);
  association = nullptr;
}

}  // namespace rtpof::scp
