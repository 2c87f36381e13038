#pragma once
// The structure of an A-ASSOCIATE-RQ PDU (PS3.8 9.3.2), checked before DCMTK parses it: every item and
// sub-item must fit inside its parent's declared length, and each user information sub-item must have
// the structure of its type (PS3.7 D.3.3). DCMTK 3.6.7's parser leaks on some malformed requests (found
// by tests/fuzz/fuzz_association), and nothing real sends one, so the gate answers those with an
// A-ABORT itself.
#include <cstddef>
#include <string>

namespace rtpof::scp {

// `pdu` is the whole PDU, header included. Empty when well formed; else the first problem, in words.
std::string associate_request_problem(const unsigned char* pdu, std::size_t size);

// A-ABORT from the service provider, reason "invalid PDU parameter value" (PS3.8 9.3.8).
inline constexpr unsigned char provider_abort_pdu[10] = {0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6};

}  // namespace rtpof::scp
