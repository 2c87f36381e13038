#include "tests/support/echo_client.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstdlib>
#include <mutex>

namespace rtpof::testing {

EchoResult echo_association(int port, const std::string& called_ae, const std::string& calling_ae, int timeout_s) {
  // DCMTK 3.6.7's requestor leaves Nagle's algorithm on unless TCP_NODELAY is set: each association
  // would then wait 40 ms for the node's delayed ACK (storescu users set it too).
  static std::once_flag no_delay;
  std::call_once(no_delay, [] { ::setenv("TCP_NODELAY", "1", 1); });
  T_ASC_Network* network = nullptr;
  if (ASC_initializeNetwork(NET_REQUESTOR, 0, timeout_s, &network).bad()) return EchoResult::failed;
  T_ASC_Parameters* params = nullptr;
  ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
  ASC_setAPTitles(params, calling_ae.c_str(), called_ae.c_str(), nullptr);
  const std::string peer = "127.0.0.1:" + std::to_string(port);
  ASC_setPresentationAddresses(params, "localhost", peer.c_str());
  const char* syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
  ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, syntaxes, 1);
  T_ASC_Association* assoc = nullptr;
  EchoResult result = EchoResult::failed;
  const OFCondition requested = ASC_requestAssociation(network, params, &assoc);
  if (requested.good()) {
    DIC_US status = 0;
    DcmDataset* detail = nullptr;
    if (DIMSE_echoUser(assoc, assoc->nextMsgID++, DIMSE_BLOCKING, 0, &status, &detail).good() && status == 0)
      result = EchoResult::echoed;
    delete detail;
    ASC_releaseAssociation(assoc);
  } else if (requested == DUL_ASSOCIATIONREJECTED) {
    result = EchoResult::refused;
  }
  if (assoc) {
    ASC_dropAssociation(assoc);
    ASC_destroyAssociation(&assoc);
  } else {
    ASC_destroyAssociationParameters(&params);
  }
  ASC_dropNetwork(&network);
  return result;
}

namespace {
void put16(std::string& out, unsigned v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& out, unsigned long v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void element(std::string& out, unsigned group, unsigned elem, const char* vr, const std::string& value) {
  put16(out, group);
  put16(out, elem);
  out += vr;
  put16(out, static_cast<unsigned>(value.size()));
  out += value;
}
std::string even(std::string s, char pad) {
  if (s.size() % 2) s.push_back(pad);
  return s;
}
}  // namespace

std::string nested_sequence_file_bytes(std::size_t depth, const std::string& sop_instance_uid) {
  const std::string sop_class = UID_RTPlanStorage;
  std::string meta;
  std::string version("\0\1", 2);
  put16(meta, 0x0002), put16(meta, 0x0001), meta += "OB", put16(meta, 0), put32(meta, 2), meta += version;
  element(meta, 0x0002, 0x0002, "UI", even(sop_class, '\0'));
  element(meta, 0x0002, 0x0003, "UI", even(sop_instance_uid, '\0'));
  element(meta, 0x0002, 0x0010, "UI", even(UID_LittleEndianExplicitTransferSyntax, '\0'));
  element(meta, 0x0002, 0x0012, "UI", even("1.2.826.0.1.3680043.9.7433.1", '\0'));
  std::string out(128, '\0');
  out += "DICM";
  put16(out, 0x0002), put16(out, 0x0000), out += "UL", put16(out, 4), put32(out, meta.size());
  out += meta;
  element(out, 0x0008, 0x0016, "UI", even(sop_class, '\0'));
  element(out, 0x0008, 0x0018, "UI", even(sop_instance_uid, '\0'));
  element(out, 0x0008, 0x0060, "CS", "RTPLAN");
  for (std::size_t i = 0; i < depth; ++i) {  // (300C,0002) Referenced RT Plan Sequence, undefined lengths
    put16(out, 0x300C), put16(out, 0x0002), out += "SQ", put16(out, 0), put32(out, 0xFFFFFFFF);
    put16(out, 0xFFFE), put16(out, 0xE000), put32(out, 0xFFFFFFFF);
  }
  for (std::size_t i = 0; i < depth; ++i) {
    put16(out, 0xFFFE), put16(out, 0xE00D), put32(out, 0);
    put16(out, 0xFFFE), put16(out, 0xE0DD), put32(out, 0);
  }
  element(out, 0x0010, 0x0010, "PN", "CANARY^PHI");
  element(out, 0x0010, 0x0020, "LO", "CANARYID");
  return out;
}

}  // namespace rtpof::testing
