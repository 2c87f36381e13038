#include "phantom/phantom_writer.hpp"

#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "phantom/anatomy.hpp"
#include "phantom/dataset_builder.hpp"
#include "phantom/uid_source.hpp"

namespace fs = std::filesystem;

namespace rtpof::phantom {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int contour_points = 72;

// What every object of the planning study shares.
struct StudyContext {
  const PhantomSpec& spec;
  UidSource uids;
  std::string patient_id;
  std::string study_uid;
  std::string frame_uid;
};

struct CtGeometry {
  double x0, y0, z0;  // centre of the first voxel
  double dx, dz;
  int columns, rows, slices;
  double z(int k) const { return z0 + k * dz; }
};

CtGeometry ct_geometry(const PhantomSpec& s) {
  return {-(s.columns - 1) * s.pixel_spacing_mm / 2.0, -(s.rows - 1) * s.pixel_spacing_mm / 2.0,
          -(s.slices - 1) * s.slice_spacing_mm / 2.0,  s.pixel_spacing_mm,
          s.slice_spacing_mm,                           s.columns,
          s.rows,                                       s.slices};
}

void write_common(DcmItem& d, const StudyContext& study, const std::string& sop_class, const std::string& sop_uid,
                  const std::string& modality, const std::string& series_uid, int series_number,
                  const std::string& series_description) {
  put(d, DCM_SpecificCharacterSet, "ISO_IR 100");
  put(d, DCM_SOPClassUID, sop_class);
  put(d, DCM_SOPInstanceUID, sop_uid);
  put(d, DCM_PatientName, study.spec.patient_name);
  put(d, DCM_PatientID, study.patient_id);
  put(d, DCM_PatientBirthDate, "19600101");
  put(d, DCM_PatientSex, "O");
  put(d, DCM_StudyInstanceUID, study.study_uid);
  put(d, DCM_StudyDate, "20230314");
  put(d, DCM_StudyTime, "090000");
  put(d, DCM_ReferringPhysicianName, "");
  put(d, DCM_StudyID, "PLAN1");
  put(d, DCM_AccessionNumber, "");
  put(d, DCM_StudyDescription, "RT planning (rtpof phantom)");
  put(d, DCM_Modality, modality);
  put(d, DCM_SeriesInstanceUID, series_uid);
  put(d, DCM_SeriesNumber, std::to_string(series_number));
  put(d, DCM_SeriesDescription, series_description);
  put(d, DCM_Manufacturer, "rtpof phantom");
  put(d, DCM_ManufacturerModelName, "rtpof");
  put(d, DCM_SoftwareVersions, "1");
}

void write_frame_of_reference(DcmItem& d, const StudyContext& study) {
  put(d, DCM_FrameOfReferenceUID, study.frame_uid);
  put(d, DCM_PositionReferenceIndicator, "");
}

std::vector<std::string> write_ct(const StudyContext& study, const CtGeometry& g, const fs::path& dir,
                                  std::vector<fs::path>& files) {
  const Anatomy anatomy;
  Random noise(hash64("ct-noise", study.spec.seed));
  const std::string series_uid = study.uids.uid("ct-series");
  std::vector<std::string> sop_uids;
  std::vector<Uint16> pixels(static_cast<std::size_t>(g.columns) * g.rows);
  for (int k = 0; k < g.slices; ++k) {
    const std::string sop_uid = study.uids.uid("ct-" + std::to_string(k));
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) {
        const Point3 p{g.x0 + c * g.dx, g.y0 + r * g.dx, g.z(k)};
        double hu = anatomy.hounsfield(p);
        if (hu > -1000.0) hu += study.spec.noise_hu * noise.gaussian();
        const double stored = std::round(std::clamp(hu, -1024.0, 3071.0) + 1024.0);
        pixels[static_cast<std::size_t>(r) * g.columns + c] = static_cast<Uint16>(stored);
      }
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    write_common(d, study, UID_CTImageStorage, sop_uid, "CT", series_uid, 1, "Planning CT");
    write_frame_of_reference(d, study);
    put(d, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    put(d, DCM_AcquisitionNumber, "1");
    put(d, DCM_InstanceNumber, std::to_string(k + 1));
    put(d, DCM_PatientPosition, "HFS");
    put_numbers(d, DCM_ImagePositionPatient, {g.x0, g.y0, g.z(k)});
    put_numbers(d, DCM_ImageOrientationPatient, {1, 0, 0, 0, 1, 0});
    put_numbers(d, DCM_SliceLocation, {g.z(k)});
    put_numbers(d, DCM_SliceThickness, {g.dz});
    put_numbers(d, DCM_PixelSpacing, {g.dx, g.dx});
    put_u16(d, DCM_SamplesPerPixel, 1);
    put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
    put_u16(d, DCM_Rows, static_cast<Uint16>(g.rows));
    put_u16(d, DCM_Columns, static_cast<Uint16>(g.columns));
    put_u16(d, DCM_BitsAllocated, 16);
    put_u16(d, DCM_BitsStored, 16);
    put_u16(d, DCM_HighBit, 15);
    put_u16(d, DCM_PixelRepresentation, 0);
    put(d, DCM_RescaleIntercept, "-1024");
    put(d, DCM_RescaleSlope, "1");
    put(d, DCM_RescaleType, "HU");
    put(d, DCM_KVP, "120");
    put(d, DCM_WindowCenter, "40");
    put(d, DCM_WindowWidth, "400");
    if (d.putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size())).bad())
      throw std::runtime_error("cannot write CT pixel data");
    char name[32];
    std::snprintf(name, sizeof name, "CT_%04d.dcm", k + 1);
    files.push_back(dir / name);
    save_part10(file, files.back());
    sop_uids.push_back(sop_uid);
  }
  return sop_uids;
}

std::vector<double> ellipse_contour(double cx, double cy, double a, double b, double z) {
  std::vector<double> points;
  points.reserve(contour_points * 3);
  for (int i = 0; i < contour_points; ++i) {
    const double t = 2.0 * pi * i / contour_points;
    points.insert(points.end(), {cx + a * std::cos(t), cy + b * std::sin(t), z});
  }
  return points;
}

void write_rtstruct(const StudyContext& study, const CtGeometry& g, const std::string& ct_series_uid,
                    const std::vector<std::string>& ct_uids, const std::string& sop_uid, const fs::path& path) {
  const Anatomy anatomy;
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common(d, study, UID_RTStructureSetStorage, sop_uid, "RTSTRUCT", study.uids.uid("rtstruct-series"), 2,
               "Planning structures");
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_StructureSetLabel, "PLAN_STRUCTURES");
  put(d, DCM_StructureSetDate, "20230315");
  put(d, DCM_StructureSetTime, "100000");
  DcmItem& frame = add_item(d, DCM_ReferencedFrameOfReferenceSequence);
  put(frame, DCM_FrameOfReferenceUID, study.frame_uid);
  DcmItem& ref_study = add_item(frame, DCM_RTReferencedStudySequence);
  put(ref_study, DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1");  // Detached Study Management (retired)
  put(ref_study, DCM_ReferencedSOPInstanceUID, study.study_uid);
  DcmItem& ref_series = add_item(ref_study, DCM_RTReferencedSeriesSequence);
  put(ref_series, DCM_SeriesInstanceUID, ct_series_uid);
  for (const auto& uid : ct_uids) {
    DcmItem& image = add_item(ref_series, DCM_ContourImageSequence);
    put(image, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
    put(image, DCM_ReferencedSOPInstanceUID, uid);
  }
  int number = 0;
  for (const auto& s : anatomy.structures()) {
    ++number;
    DcmItem& roi = add_item(d, DCM_StructureSetROISequence);
    put(roi, DCM_ROINumber, std::to_string(number));
    put(roi, DCM_ReferencedFrameOfReferenceUID, study.frame_uid);
    put(roi, DCM_ROIName, s.name);
    put(roi, DCM_ROIGenerationAlgorithm, "MANUAL");

    DcmItem& contours = add_item(d, DCM_ROIContourSequence);
    put(contours, DCM_ROIDisplayColor,
        std::to_string(s.colour[0]) + "\\" + std::to_string(s.colour[1]) + "\\" + std::to_string(s.colour[2]));
    put(contours, DCM_ReferencedROINumber, std::to_string(number));
    for (int k = 0; k < g.slices; ++k) {
      const double z = g.z(k);
      std::array<double, 2> axes{75.0, 95.0};
      double cx = 0, cy = 0;
      if (!s.is_body) {
        axes = s.shape.section(z);
        cx = s.shape.centre.x;
        cy = s.shape.centre.y;
        if (axes[0] < 0.5 || axes[1] < 0.5) continue;  // too small a section to draw
      } else {
        axes = {s.shape.semi_axes.x, s.shape.semi_axes.y};
      }
      DcmItem& contour = add_item(contours, DCM_ContourSequence);
      DcmItem& image = add_item(contour, DCM_ContourImageSequence);
      put(image, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
      put(image, DCM_ReferencedSOPInstanceUID, ct_uids[static_cast<std::size_t>(k)]);
      put(contour, DCM_ContourGeometricType, "CLOSED_PLANAR");
      put(contour, DCM_NumberOfContourPoints, std::to_string(contour_points));
      put_numbers(contour, DCM_ContourData, ellipse_contour(cx, cy, axes[0], axes[1], z));
    }
    DcmItem& observation = add_item(d, DCM_RTROIObservationsSequence);
    put(observation, DCM_ObservationNumber, std::to_string(number));
    put(observation, DCM_ReferencedROINumber, std::to_string(number));
    put(observation, DCM_RTROIInterpretedType, s.interpreted_type);
    put(observation, DCM_ROIInterpreter, "");
  }
  save_part10(file, path);
}

void write_rtplan(const StudyContext& study, const std::string& rtstruct_uid, const std::string& sop_uid,
                  const fs::path& path) {
  const Anatomy anatomy;
  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common(d, study, UID_RTPlanStorage, sop_uid, "RTPLAN", study.uids.uid("rtplan-series"), 3, "Plan");
  write_frame_of_reference(d, study);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_RTPlanLabel, "NPC_70_33");
  put(d, DCM_RTPlanName, "NPC SIB 70/59.4/54");
  put(d, DCM_RTPlanDate, "20230316");
  put(d, DCM_RTPlanTime, "110000");
  put(d, DCM_RTPlanGeometry, "PATIENT");
  put(d, DCM_ApprovalStatus, "APPROVED");
  put(d, DCM_ReviewDate, "20230317");
  put(d, DCM_ReviewTime, "120000");
  put(d, DCM_ReviewerName, "PHYSICIST^PHANTOM");
  DcmItem& structure_set = add_item(d, DCM_ReferencedStructureSetSequence);
  put(structure_set, DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
  put(structure_set, DCM_ReferencedSOPInstanceUID, rtstruct_uid);

  const auto& structures = anatomy.structures();
  int reference_number = 0;
  for (const auto& level : anatomy.prescriptions()) {
    ++reference_number;
    int roi_number = 0;
    for (std::size_t i = 0; i < structures.size(); ++i)
      if (structures[i].name == level.target_name) roi_number = static_cast<int>(i) + 1;
    DcmItem& reference = add_item(d, DCM_DoseReferenceSequence);
    put(reference, DCM_DoseReferenceNumber, std::to_string(reference_number));
    put(reference, DCM_DoseReferenceUID, study.uids.uid("dose-reference-" + level.target_name));
    put(reference, DCM_DoseReferenceStructureType, "VOLUME");
    put(reference, DCM_ReferencedROINumber, std::to_string(roi_number));
    put(reference, DCM_DoseReferenceDescription, level.target_name);
    put(reference, DCM_DoseReferenceType, "TARGET");
    put_numbers(reference, DCM_TargetPrescriptionDose, {level.dose_gy});
  }

  DcmItem& fraction_group = add_item(d, DCM_FractionGroupSequence);
  put(fraction_group, DCM_FractionGroupNumber, "1");
  put(fraction_group, DCM_NumberOfFractionsPlanned, "33");
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
      put_numbers(cp, DCM_IsocenterPosition, {2, 12, 5});
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

void write_rtdose(const StudyContext& study, const CtGeometry& ct, const std::string& rtplan_uid,
                  const std::string& sop_uid, const fs::path& path) {
  const Anatomy anatomy;
  // A 3 mm grid over the head, its origin deliberately off the CT voxel lattice.
  const double spacing = 3.0;
  const int columns = static_cast<int>(std::ceil(170.0 / spacing));
  const int rows = static_cast<int>(std::ceil(210.0 / spacing));
  const double x0 = -85.0 + 0.7, y0 = -105.0 + 1.3;
  const double z_extent = std::min(150.0, (ct.slices - 1) * ct.dz);
  const int frames = static_cast<int>(std::floor(z_extent / spacing)) + 1;
  const double z0 = -z_extent / 2.0 + 0.4;
  const double scaling = 1e-6;  // Gy per stored unit: 32-bit range covers 4294 Gy

  std::vector<Uint32> values(static_cast<std::size_t>(columns) * rows * frames);
  std::size_t i = 0;
  for (int f = 0; f < frames; ++f)
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < columns; ++c)
        values[i++] = static_cast<Uint32>(
            std::lround(anatomy.dose_gy({x0 + c * spacing, y0 + r * spacing, z0 + f * spacing}) / scaling));

  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  write_common(d, study, UID_RTDoseStorage, sop_uid, "RTDOSE", study.uids.uid("rtdose-series"), 4, "Plan dose");
  write_frame_of_reference(d, study);
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_ContentDate, "20230316");
  put(d, DCM_ContentTime, "110500");
  put_numbers(d, DCM_ImagePositionPatient, {x0, y0, z0});
  put_numbers(d, DCM_ImageOrientationPatient, {1, 0, 0, 0, 1, 0});
  put_numbers(d, DCM_PixelSpacing, {spacing, spacing});
  put_numbers(d, DCM_SliceThickness, {spacing});
  put_u16(d, DCM_SamplesPerPixel, 1);
  put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
  put(d, DCM_NumberOfFrames, std::to_string(frames));
  put_tag(d, DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
  put_u16(d, DCM_Rows, static_cast<Uint16>(rows));
  put_u16(d, DCM_Columns, static_cast<Uint16>(columns));
  put_u16(d, DCM_BitsAllocated, 32);
  put_u16(d, DCM_BitsStored, 32);
  put_u16(d, DCM_HighBit, 31);
  put_u16(d, DCM_PixelRepresentation, 0);
  put(d, DCM_DoseUnits, "GY");
  put(d, DCM_DoseType, "PHYSICAL");
  put(d, DCM_DoseSummationType, "PLAN");
  std::vector<double> offsets;
  for (int f = 0; f < frames; ++f) offsets.push_back(f * spacing);
  put_numbers(d, DCM_GridFrameOffsetVector, offsets);
  put(d, DCM_DoseGridScaling, decimal(scaling));
  DcmItem& plan = add_item(d, DCM_ReferencedRTPlanSequence);
  put(plan, DCM_ReferencedSOPClassUID, UID_RTPlanStorage);
  put(plan, DCM_ReferencedSOPInstanceUID, rtplan_uid);
  // 32-bit samples are written as OW bytes in little endian, as DICOM encodes them.
  if (d.putAndInsertUint8Array(DCM_PixelData, reinterpret_cast<const Uint8*>(values.data()),
                               static_cast<unsigned long>(values.size() * sizeof(Uint32)))
          .bad())
    throw std::runtime_error("cannot write RTDOSE pixel data");
  save_part10(file, path);
}

}  // namespace

PhantomSpec PhantomSpec::small(std::uint64_t seed) {
  PhantomSpec s;
  s.seed = seed;
  return s;
}

PhantomSpec PhantomSpec::standard(std::uint64_t seed) {
  PhantomSpec s;
  s.seed = seed;
  s.columns = s.rows = 512;
  s.pixel_spacing_mm = 0.5;
  s.slices = 120;
  return s;
}

PlanningFiles write_planning_objects(const PhantomSpec& spec, const fs::path& out_dir) {
  StudyContext study{spec, UidSource(spec.seed), spec.patient_id, "", ""};
  if (study.patient_id.empty()) study.patient_id = "RTPOF-" + std::to_string(spec.seed);
  study.study_uid = study.uids.uid("planning-study");
  study.frame_uid = study.uids.uid("planning-frame");
  const fs::path dir = out_dir / "plan";
  fs::create_directories(dir);

  PlanningFiles files;
  const CtGeometry geometry = ct_geometry(spec);
  const auto ct_uids = write_ct(study, geometry, dir, files.ct);
  const std::string rtstruct_uid = study.uids.uid("rtstruct");
  const std::string rtplan_uid = study.uids.uid("rtplan");
  files.rtstruct = dir / "RTSTRUCT.dcm";
  files.rtplan = dir / "RTPLAN.dcm";
  files.rtdose = dir / "RTDOSE.dcm";
  write_rtstruct(study, geometry, study.uids.uid("ct-series"), ct_uids, rtstruct_uid, files.rtstruct);
  write_rtplan(study, rtstruct_uid, rtplan_uid, files.rtplan);
  write_rtdose(study, geometry, rtplan_uid, study.uids.uid("rtdose"), files.rtdose);
  files.patient_id = study.patient_id;
  files.study_instance_uid = study.study_uid;
  files.ct_series_instance_uid = study.uids.uid("ct-series");
  files.frame_of_reference_uid = study.frame_uid;
  return files;
}

}  // namespace rtpof::phantom
