#pragma once
// One association with a C-ECHO, made in-process on DCMTK's association layer: fast enough to run
// thousands in a test, from several threads at once (each call has its own network object).
#include <string>

namespace rtpof::testing {

enum class EchoResult { echoed, refused, failed };

EchoResult echo_association(int port, const std::string& called_ae = "RTPOF", const std::string& calling_ae = "ECHOTEST",
                            int timeout_s = 10);

// A file in Part 10 form (explicit VR little endian) whose data set nests `depth` sequences, each in an
// item of undefined length: built byte by byte, as DCMTK's writer would itself recurse that deep.
std::string nested_sequence_file_bytes(std::size_t depth, const std::string& sop_instance_uid);

}  // namespace rtpof::testing
