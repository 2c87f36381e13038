#include "delivery/store_sender.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "report/report_uid.hpp"
#include "scp/tls_layer.hpp"

namespace rtpof::delivery {
namespace {

// DcmSCU 3.6.7 keeps useSecureConnection protected (its DcmTLSSCU builds a layer of its own, without
// the checks of make_tls_layer); this only makes that member reachable for a layer we built.
class StoreScu : public DcmSCU {
 public:
  using DcmSCU::useSecureConnection;
};

std::string hex_status(std::uint16_t status) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%04X", status);
  return text;
}

std::string describe(std::uint16_t status) {
  const unsigned high = status & 0xFF00u;
  if (status == 0x0000) return "success";
  if (high == 0xA700) return "refused: out of resources";
  if (high == 0xA900) return "error: data set does not match SOP class";
  if ((status & 0xF000u) == 0xC000) return "error: cannot understand";
  if (status == 0x0122) return "refused: SOP class not supported";
  if (status == 0x0124) return "refused: not authorized";
  if (status == 0x0110) return "processing failure";
  if (status == 0xB000 || status == 0xB006 || status == 0xB007) return "warning: stored with coercion or differences";
  return "failure";
}

std::string class_name(const std::string& uid) { return dcmFindNameOfUID(uid.c_str(), uid.c_str()); }

// The report as a Comprehensive SR: the same content under that SOP class, with its own SOP Instance
// UID (one UID names one object of one class), the same for every send of the same report.
std::unique_ptr<DcmFileFormat> as_comprehensive_sr(const std::filesystem::path& file) {
  auto format = std::make_unique<DcmFileFormat>();
  if (format->loadFile(file.c_str()).bad()) throw std::runtime_error("cannot read " + file.string());
  DcmDataset& dataset = *format->getDataset();
  OFString original;
  if (dataset.findAndGetOFString(DCM_SOPInstanceUID, original).bad())
    throw std::runtime_error(file.string() + " has no SOP Instance UID");
  const std::string uid = report::name_based_uid(std::string("rtpof comprehensive SR of ") + original.c_str());
  if (dataset.putAndInsertString(DCM_SOPClassUID, UID_ComprehensiveSRStorage).bad() ||
      dataset.putAndInsertString(DCM_SOPInstanceUID, uid.c_str()).bad())
    throw std::runtime_error("cannot re-class " + file.string());
  return format;
}

}  // namespace

SendVerdict verdict_of_store_status(std::uint16_t status, bool warning_is_delivered) {
  if (status == 0x0000) return SendVerdict::delivered;
  if (status == 0xB000 || status == 0xB006 || status == 0xB007)
    return warning_is_delivered ? SendVerdict::delivered : SendVerdict::transient;
  // Out of resources and a processing failure are the peer's passing trouble: try again later.
  if ((status & 0xFF00u) == 0xA700 || status == 0x0110) return SendVerdict::transient;
  // 0xA9xx, 0xCxxx, 0x0122, 0x0124 and anything unknown: the same object would be refused again.
  return SendVerdict::permanent;
}

SendOutcome send_file(const std::filesystem::path& file, const std::string& sop_class_uid, const SendTarget& target,
                      bool warning_is_delivered) {
  // Built per send, so that a certificate renewed on disk is used from the next attempt on; declared
  // before `scu`, whose destructor may still close the connection the layer made.
  std::unique_ptr<DcmTLSTransportLayer> tls;
  if (target.tls) {
    try {
      tls = scp::make_tls_layer(*target.tls, scp::TlsRole::client);
    } catch (const scp::TlsSetupError& e) {
      // Our own files, not the peer: retried, so that mending them is enough.
      return {SendVerdict::transient, e.what()};
    }
  }
  StoreScu scu;
  scu.setAETitle(target.calling_ae.c_str());
  scu.setPeerAETitle(target.called_ae.c_str());
  scu.setPeerHostName(target.host.c_str());
  scu.setPeerPort(target.port);
  scu.setConnectionTimeout(static_cast<Sint32>(target.connect_timeout_s));
  scu.setACSETimeout(target.dimse_timeout_s);
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDIMSETimeout(target.dimse_timeout_s);
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  scu.addPresentationContext(sop_class_uid.c_str(), syntaxes);
  // An Enhanced SR's content tree is also a valid Comprehensive SR (a superset, PS3.3 A.35.3), which
  // is what some archives store: offered too, and used only when the first is refused.
  const bool offers_fallback = sop_class_uid == UID_EnhancedSRStorage;
  if (offers_fallback) scu.addPresentationContext(UID_ComprehensiveSRStorage, syntaxes);
  const std::string refused_classes =
      offers_fallback ? "presentation context rejected: the peer accepts neither Enhanced SR Storage nor "
                        "Comprehensive SR Storage"
                      : "presentation context rejected: the peer does not accept " + class_name(sop_class_uid);

  OFCondition status = scu.initNetwork();
  // The layer goes in after the network exists: DcmSCU attaches it to that network.
  if (status.good() && tls) status = scu.useSecureConnection(tls.get());
  if (status.bad()) return {SendVerdict::transient, std::string("network set-up failed: ") + status.text()};
  status = scu.negotiateAssociation();
  if (status == NET_EC_NoAcceptablePresentationContexts) return {SendVerdict::permanent, refused_classes};
  // A rejected association (busy, or our AE title unknown there) and a refused or timed-out connection
  // may all be mended on the peer's side without us: retried, with backoff, until the give-up time.
  if (status.bad()) {
    std::string why = std::string("association failed: ") + status.text();
    if (tls)
      why += " (over TLS: the destination's certificate must come from a CA in tls.trusted_certificates, and it "
             "must trust the CA of ours)";
    return {SendVerdict::transient, why};
  }
  T_ASC_PresentationContextID context = scu.findPresentationContextID(sop_class_uid.c_str(), "");
  std::unique_ptr<DcmFileFormat> converted;
  std::string sent_as;
  if (context == 0 && offers_fallback) {
    context = scu.findPresentationContextID(UID_ComprehensiveSRStorage, "");
    if (context != 0) {
      try {
        converted = as_comprehensive_sr(file);
      } catch (const std::runtime_error& e) {
        scu.releaseAssociation();
        return {SendVerdict::permanent, std::string("the report file is not sendable: ") + e.what()};
      }
      OFString uid;
      converted->getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid);
      sent_as = std::string(" (sent as Comprehensive SR ") + uid.c_str() + ": the peer refused Enhanced SR)";
    }
  }
  if (context == 0) {
    scu.releaseAssociation();
    return {SendVerdict::permanent, refused_classes};
  }
  Uint16 response = 0;
  status = converted ? scu.sendSTORERequest(context, "", converted->getDataset(), response)
                     : scu.sendSTORERequest(context, file.c_str(), nullptr, response);
  if (status.bad()) {
    scu.abortAssociation();
    if (status == NET_EC_InvalidSOPClassUID || status == NET_EC_UnknownStorageSOPClass || status == NET_EC_InvalidSOPInstanceUID)
      return {SendVerdict::permanent, std::string("the report file is not sendable: ") + status.text()};
    return {SendVerdict::transient, std::string("C-STORE failed: ") + status.text()};
  }
  scu.releaseAssociation();
  return {verdict_of_store_status(response, warning_is_delivered),
          hex_status(response) + " " + describe(response) + sent_as};
}

}  // namespace rtpof::delivery
