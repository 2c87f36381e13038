#include "phantom/rtplan_writer.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "phantom/dataset_builder.hpp"

namespace rtpof::phantom {

void write_rtplan(const RtplanRequest& rq, const std::filesystem::path& path) {
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common_modules(d, rq.patient, rq.study, rq.series, UID_RTPlanStorage, rq.sop_uid);
  write_frame_of_reference(d, rq.frame_uid);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_RTPlanLabel, "NPC_70_33");
  put(d, DCM_RTPlanName, "NPC SIB 70/59.4/54");
  put(d, DCM_RTPlanDate, rq.study.date);
  put(d, DCM_RTPlanTime, rq.study.time);
  put(d, DCM_RTPlanGeometry, "PATIENT");
  put(d, DCM_ApprovalStatus, "APPROVED");
  put(d, DCM_ReviewDate, rq.study.date);
  put(d, DCM_ReviewTime, rq.study.time);
  put(d, DCM_ReviewerName, "PHYSICIST^PHANTOM");
  DcmItem& structure_set = add_item(d, DCM_ReferencedStructureSetSequence);
  put(structure_set, DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
  put(structure_set, DCM_ReferencedSOPInstanceUID, rq.rtstruct_uid);

  int reference_number = 0;
  for (const auto& target : rq.targets) {
    DcmItem& reference = add_item(d, DCM_DoseReferenceSequence);
    put(reference, DCM_DoseReferenceNumber, std::to_string(++reference_number));
    put(reference, DCM_DoseReferenceUID, target.dose_reference_uid);
    put(reference, DCM_DoseReferenceStructureType, "VOLUME");
    put(reference, DCM_ReferencedROINumber, std::to_string(target.roi_number));
    put(reference, DCM_DoseReferenceDescription, target.roi_name);
    put(reference, DCM_DoseReferenceType, "TARGET");
    put_numbers(reference, DCM_TargetPrescriptionDose, {target.prescription_gy});
  }

  DcmItem& fraction_group = add_item(d, DCM_FractionGroupSequence);
  put(fraction_group, DCM_FractionGroupNumber, "1");
  put(fraction_group, DCM_NumberOfFractionsPlanned, std::to_string(rq.fractions));
  put(fraction_group, DCM_NumberOfBeams, "1");
  put(fraction_group, DCM_NumberOfBrachyApplicationSetups, "0");
  DcmItem& referenced_beam = add_item(fraction_group, DCM_ReferencedBeamSequence);
  put(referenced_beam, DCM_ReferencedBeamNumber, "1");
  put(referenced_beam, DCM_BeamMeterset, "250");

  DcmItem& beam = add_item(d, DCM_BeamSequence);
  put(beam, DCM_BeamNumber, "1");
  put(beam, DCM_BeamName, "ARC1");
  put(beam, DCM_BeamType, "DYNAMIC");
  put(beam, DCM_RadiationType, "PHOTON");
  put(beam, DCM_TreatmentMachineName, "PHANTOM_LINAC");
  put(beam, DCM_PrimaryDosimeterUnit, "MU");
  put(beam, DCM_SourceAxisDistance, "1000");
  put(beam, DCM_TreatmentDeliveryType, "TREATMENT");
  put(beam, DCM_NumberOfWedges, "0");
  put(beam, DCM_NumberOfCompensators, "0");
  put(beam, DCM_NumberOfBoli, "0");
  put(beam, DCM_NumberOfBlocks, "0");
  put(beam, DCM_FinalCumulativeMetersetWeight, "1");
  put(beam, DCM_NumberOfControlPoints, "2");
  for (const char* device : {"ASYMX", "ASYMY"}) {
    DcmItem& limiting = add_item(beam, DCM_BeamLimitingDeviceSequence);
    put(limiting, DCM_RTBeamLimitingDeviceType, device);
    put(limiting, DCM_NumberOfLeafJawPairs, "1");
  }
  for (int i = 0; i < 2; ++i) {
    DcmItem& cp = add_item(beam, DCM_ControlPointSequence);
    put(cp, DCM_ControlPointIndex, std::to_string(i));
    put(cp, DCM_CumulativeMetersetWeight, i == 0 ? "0" : "1");
    put(cp, DCM_GantryAngle, i == 0 ? "181" : "179");
    if (i == 0) {
      put(cp, DCM_NominalBeamEnergy, "6");
      put(cp, DCM_GantryRotationDirection, "CW");
      put(cp, DCM_BeamLimitingDeviceAngle, "30");
      put(cp, DCM_BeamLimitingDeviceRotationDirection, "NONE");
      put(cp, DCM_PatientSupportAngle, "0");
      put(cp, DCM_PatientSupportRotationDirection, "NONE");
      put(cp, DCM_TableTopEccentricAngle, "0");
      put(cp, DCM_TableTopEccentricRotationDirection, "NONE");
      put(cp, DCM_TableTopVerticalPosition, "");
      put(cp, DCM_TableTopLongitudinalPosition, "");
      put(cp, DCM_TableTopLateralPosition, "");
      put_numbers(cp, DCM_IsocenterPosition, {rq.isocentre.x, rq.isocentre.y, rq.isocentre.z});
      for (const char* device : {"ASYMX", "ASYMY"}) {
        DcmItem& position = add_item(cp, DCM_BeamLimitingDevicePositionSequence);
        put(position, DCM_RTBeamLimitingDeviceType, device);
        put(position, DCM_LeafJawPositions, "-60\\60");
      }
    } else {
      put(cp, DCM_GantryRotationDirection, "NONE");
    }
  }
  DcmItem& setup = add_item(d, DCM_PatientSetupSequence);
  put(setup, DCM_PatientSetupNumber, "1");
  put(setup, DCM_PatientPosition, "HFS");
  save_part10(file, path);
}

}  // namespace rtpof::phantom
