#pragma once
// Why an instance was not kept. The kinds follow what a sender can do about it; scp/ turns them into
// C-STORE statuses (0xA900, 0xC000, 0xA700, 0x0111).
#include <stdexcept>
#include <string>

namespace rtpof::storage {

class IngestError : public std::runtime_error {
 public:
  enum class Kind {
    does_not_match_sop_class,  // readable, but not what the command announced or missing what we need
    cannot_understand,         // not parseable DICOM, truncated, or a malformed UID
    out_of_resources,          // quota reached, disk full, I/O error: sending again later may work
    duplicate_instance_uid,    // the SOP Instance UID is another patient's instance's: never displaced
  };
  IngestError(Kind kind, const std::string& reason) : std::runtime_error(reason), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace rtpof::storage
