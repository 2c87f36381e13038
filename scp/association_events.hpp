#pragma once
// What the listener tells an observer about associations, for the DICOM audit trail: each
// association that brought instances (who sent which patients' studies), and each refused one (who
// was turned away, and why). The observer runs on the association's thread after the association's
// last response; it must be quick and must not throw (a throw is logged and the association is not
// affected).
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace rtpof::scp {

// One study's instances received in one association.
struct ReceivedStudy {
  std::string patient_id, patient_name;  // as the instances give them (the last one's, if they differ)
  std::string study_description;
  std::string character_set;  // the instances' SpecificCharacterSet: what the name's bytes mean
  std::map<std::string, std::uint64_t> instances_by_sop_class;
  std::uint64_t stored = 0, duplicate = 0, replaced = 0;  // new, identical copies, corrections
};

struct AssociationSummary {
  std::string calling_ae, called_ae, peer_address;
  bool tls = false;
  std::map<std::string, ReceivedStudy> studies;  // by Study Instance UID
  std::uint64_t refused = 0;                      // C-STOREs answered with a failure status
};

struct AssociationRefusal {
  enum class Kind {
    not_authorised,  // the called AE title, calling AE title or address is not allowed
    tls_failure,     // the TLS handshake failed (no or untrusted certificate, wrong protocol)
    other,           // no acceptable presentation context, too many associations, not a request
  };
  Kind kind = Kind::other;
  std::string calling_ae, called_ae;  // empty when the request could not be read
  std::string peer_address;
  std::string reason;
};

struct AssociationObserver {
  std::function<void(const AssociationSummary&)> ended;    // only associations that received instances
  std::function<void(const AssociationRefusal&)> refused;
};

}  // namespace rtpof::scp
