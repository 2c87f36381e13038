#pragma once
// Sending one file to one Storage SCP with DCMTK's DcmSCU, and judging the answer: delivered, worth
// retrying later (the peer is down, busy or out of room), or never going to work as it stands (the peer
// does not take this SOP class, or refuses the dataset). The outbox decides what to do with the verdict.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "scp/tls_options.hpp"

namespace rtpof::delivery {

struct SendTarget {
  std::string calling_ae;  // ours
  std::string called_ae, host;
  std::uint16_t port = 0;
  unsigned connect_timeout_s = 10;
  unsigned dimse_timeout_s = 60;
  std::optional<scp::TlsOptions> tls;  // set: DICOM over TLS, the peer's certificate verified against ours
};

enum class SendVerdict { delivered, transient, permanent };

struct SendOutcome {
  SendVerdict verdict = SendVerdict::transient;
  std::string status;  // in words, for the log and the outbox: "0x0000 success", "connection refused", ...
};

// C-STORE response status (PS3.4 B.2.3, PS3.7 C) to verdict. Warnings (0xB000, 0xB006, 0xB007) mean the
// peer kept the object; `warning_is_delivered` false makes them retried instead (a site rule).
SendVerdict verdict_of_store_status(std::uint16_t status, bool warning_is_delivered);

// One association, one C-STORE of `file` (its SOP class from the meta header), release.
SendOutcome send_file(const std::filesystem::path& file, const std::string& sop_class_uid, const SendTarget& target,
                      bool warning_is_delivered);

}  // namespace rtpof::delivery
