#include "scp/presentation_contexts.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scpcfg.h>

#include <stdexcept>

namespace rtpof::scp {

const std::vector<std::string>& accepted_storage_sop_classes() {
  static const std::vector<std::string> classes = {
      UID_CTImageStorage,
      UID_MRImageStorage,
      UID_EnhancedMRImageStorage,
      UID_RTStructureSetStorage,
      UID_RTPlanStorage,
      UID_RTDoseStorage,
      UID_SpatialRegistrationStorage,
      UID_DeformableSpatialRegistrationStorage,
      UID_SegmentationStorage,
      UID_ComprehensiveSRStorage,
      UID_EnhancedSRStorage,
  };
  return classes;
}

const std::vector<std::string>& accepted_transfer_syntaxes() {
  // Uncompressed first: when a sender offers both, the node takes the form every loader reads fastest.
  static const std::vector<std::string> syntaxes = {
      UID_LittleEndianExplicitTransferSyntax,
      UID_LittleEndianImplicitTransferSyntax,
      UID_DeflatedExplicitVRLittleEndianTransferSyntax,
      UID_JPEGProcess14SV1TransferSyntax,
      UID_JPEGProcess14TransferSyntax,
      UID_JPEGProcess1TransferSyntax,
      UID_JPEGLSLosslessTransferSyntax,
      UID_JPEGLSLossyTransferSyntax,
      UID_RLELosslessTransferSyntax,
      // Decoded through OpenJPEG (storage/jpeg2000_decoder.hpp); stored as received.
      UID_JPEG2000LosslessOnlyTransferSyntax,
      UID_JPEG2000TransferSyntax,
  };
  return syntaxes;
}

void add_presentation_contexts(DcmSCPConfig& config) {
  OFList<OFString> uncompressed;
  uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
  uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
  OFList<OFString> all;
  for (const auto& syntax : accepted_transfer_syntaxes()) all.push_back(syntax.c_str());
  auto add = [&config](const std::string& sop_class, const OFList<OFString>& syntaxes) {
    const OFCondition status = config.addPresentationContext(sop_class.c_str(), syntaxes, ASC_SC_ROLE_DEFAULT);
    if (status.bad())
      throw std::runtime_error("cannot configure presentation context " + sop_class + ": " + status.text());
  };
  add(UID_VerificationSOPClass, uncompressed);
  for (const auto& sop_class : accepted_storage_sop_classes()) add(sop_class, all);
}

}  // namespace rtpof::scp
