#pragma once
// A C-STORE SCU built directly on DCMTK's association and DIMSE layers, for what storescu will not
// send: a command whose Affected SOP Instance UID differs from the dataset's, or a file's bytes
// streamed as they are (a truncated file). It talks real DICOM over a real socket.
#include <filesystem>
#include <string>

namespace rtpof::testing {

struct RawStoreRequest {
  int port = 0;
  std::string called_ae = "RTPOF";
  std::string calling_ae = "RAWSCU";
  std::string sop_class_uid;
  std::string announced_sop_instance_uid;
  std::filesystem::path file;  // Part 10, explicit VR little endian
  // true: the file's dataset bytes go on the wire as they are, even when they do not parse (a
  // truncated file); false: DCMTK loads and sends the dataset.
  bool stream_raw_bytes = false;
};

// Returns the DIMSE status of the C-STORE response; throws std::runtime_error when no response came
// (association refused, connection dropped).
unsigned raw_store(const RawStoreRequest& request);

}  // namespace rtpof::testing
