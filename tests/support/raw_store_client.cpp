#include "tests/support/raw_store_client.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <dcmtk/dcmdata/dcostrmb.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>
#include <memory>
#include <stdexcept>

namespace rtpof::testing {
namespace {

std::vector<char> encode_store_command(const T_DIMSE_C_StoreRQ& request) {
  DcmDataset command;
  command.putAndInsertString(DcmTagKey(0x0000, 0x0002), request.AffectedSOPClassUID);
  command.putAndInsertUint16(DcmTagKey(0x0000, 0x0100), 0x0001);  // C-STORE-RQ
  command.putAndInsertUint16(DcmTagKey(0x0000, 0x0110), request.MessageID);
  command.putAndInsertUint16(DcmTagKey(0x0000, 0x0700), 0x0000);
  command.putAndInsertUint16(DcmTagKey(0x0000, 0x0800), 0x0000);  // a dataset follows
  command.putAndInsertString(DcmTagKey(0x0000, 0x1000), request.AffectedSOPInstanceUID);
  command.computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, EXS_LittleEndianImplicit, EET_ExplicitLength);
  std::vector<char> buffer(4096);
  DcmOutputBufferStream out(buffer.data(), buffer.size());
  command.transferInit();
  command.write(out, EXS_LittleEndianImplicit, EET_ExplicitLength, nullptr);
  command.transferEnd();
  void* data = nullptr;
  offile_off_t length = 0;
  out.flushBuffer(data, length);
  buffer.resize(static_cast<std::size_t>(length));
  return buffer;
}

// The dataset's bytes: everything after the meta header (preamble, "DICM", group 0002).
std::vector<char> dataset_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* e = reinterpret_cast<const unsigned char*>(bytes.data()) + 132;
  const std::size_t meta_length = e[8] | e[9] << 8 | e[10] << 16 | static_cast<std::size_t>(e[11]) << 24;
  return std::vector<char>(bytes.begin() + 144 + static_cast<std::ptrdiff_t>(meta_length), bytes.end());
}

OFCondition write_pdv(T_ASC_Association* assoc, T_ASC_PresentationContextID id, DUL_DATAPDV type, char* data,
                      std::size_t length, bool last) {
  DUL_PDV pdv{static_cast<unsigned long>(length), id, type, last ? OFTrue : OFFalse, data};
  DUL_PDVLIST list{1, nullptr, 0, {}, &pdv};
  return DUL_WritePDVs(&assoc->DULassociation, &list);
}

// Sends the command and the dataset bytes as PDVs ourselves, the way a careless sender streams a
// broken file; then reads the response.
OFCondition store_raw(T_ASC_Association* assoc, T_ASC_PresentationContextID id, const T_DIMSE_C_StoreRQ& request,
                      const std::filesystem::path& file, Uint16& status) {
  std::vector<char> command = encode_store_command(request);
  OFCondition result = write_pdv(assoc, id, DUL_COMMANDPDV, command.data(), command.size(), true);
  std::vector<char> data = dataset_bytes(file);
  const std::size_t chunk = assoc->sendPDVLength > 16 ? assoc->sendPDVLength - 16 : 1024;
  for (std::size_t offset = 0; result.good() && offset < data.size(); offset += chunk) {
    const std::size_t n = std::min(chunk, data.size() - offset);
    result = write_pdv(assoc, id, DUL_DATASETPDV, data.data() + offset, n, offset + n == data.size());
  }
  if (result.bad()) return result;
  T_DIMSE_Message response{};
  T_ASC_PresentationContextID response_id = 0;
  DcmDataset* detail = nullptr;
  result = DIMSE_receiveCommand(assoc, DIMSE_BLOCKING, 0, &response_id, &response, &detail);
  delete detail;
  if (result.good()) status = response.msg.CStoreRSP.DimseStatus;
  return result;
}

}  // namespace

unsigned raw_store(const RawStoreRequest& r) {
  T_ASC_Network* network = nullptr;
  if (ASC_initializeNetwork(NET_REQUESTOR, 0, 30, &network).bad()) throw std::runtime_error("network init failed");
  std::unique_ptr<T_ASC_Network*, void (*)(T_ASC_Network**)> network_guard(&network, [](T_ASC_Network** n) {
    ASC_dropNetwork(n);
  });
  T_ASC_Parameters* params = nullptr;
  ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
  ASC_setAPTitles(params, r.calling_ae.c_str(), r.called_ae.c_str(), nullptr);
  const std::string peer = "127.0.0.1:" + std::to_string(r.port);
  ASC_setPresentationAddresses(params, "localhost", peer.c_str());
  const char* syntaxes[] = {UID_LittleEndianExplicitTransferSyntax};
  ASC_addPresentationContext(params, 1, r.sop_class_uid.c_str(), syntaxes, 1);
  T_ASC_Association* assoc = nullptr;
  const OFCondition requested = ASC_requestAssociation(network, params, &assoc);
  if (requested.bad()) {
    if (assoc) ASC_destroyAssociation(&assoc);
    else ASC_destroyAssociationParameters(&params);
    throw std::runtime_error(std::string("association failed: ") + requested.text());
  }
  const T_ASC_PresentationContextID id = ASC_findAcceptedPresentationContextID(assoc, r.sop_class_uid.c_str());
  if (id == 0) {
    ASC_releaseAssociation(assoc);
    ASC_destroyAssociation(&assoc);
    throw std::runtime_error("presentation context not accepted");
  }
  T_DIMSE_C_StoreRQ request{};
  request.MessageID = assoc->nextMsgID++;
  std::strncpy(request.AffectedSOPClassUID, r.sop_class_uid.c_str(), sizeof request.AffectedSOPClassUID - 1);
  std::strncpy(request.AffectedSOPInstanceUID, r.announced_sop_instance_uid.c_str(),
               sizeof request.AffectedSOPInstanceUID - 1);
  request.DataSetType = DIMSE_DATASET_PRESENT;
  request.Priority = DIMSE_PRIORITY_MEDIUM;
  Uint16 status = 0xFFFF;
  OFCondition stored;
  if (r.stream_raw_bytes) {
    stored = store_raw(assoc, id, request, r.file, status);
  } else {
    T_DIMSE_C_StoreRSP response{};
    DcmDataset* detail = nullptr;
    stored = DIMSE_storeUser(assoc, id, &request, r.file.c_str(), nullptr, nullptr, nullptr, DIMSE_BLOCKING, 0,
                             &response, &detail);
    delete detail;
    status = response.DimseStatus;
  }
  if (stored.bad()) {
    ASC_abortAssociation(assoc);
    ASC_destroyAssociation(&assoc);
    throw std::runtime_error(std::string("C-STORE failed: ") + stored.text());
  }
  ASC_releaseAssociation(assoc);
  ASC_destroyAssociation(&assoc);
  return status;
}

}  // namespace rtpof::testing
