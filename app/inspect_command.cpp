// rtpof inspect: what the loaders read from a folder of DICOM files — each series' geometry, each
// structure set's ROIs, each dose grid, plan, registration and segmentation — or why they refused it.
// A physicist's check before trusting an analysis, and what bench/load times.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <fstream>
#include <map>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/image_series.hpp"
#include "pipeline/dicomrt/load_error.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/dicomrt/structure_set.hpp"
#include "report/report_reader.hpp"

namespace rtpof::app {
namespace {

namespace fs = std::filesystem;
using namespace rtpof::pipeline;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::vector<fs::path> files_under(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const auto& path : paths) {
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (fs::is_regular_file(path)) {
      files.emplace_back(path);
    } else {
      throw UsageError("no such file or folder: " + path);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& note : notes) std::printf("    note: %s\n", note.c_str());
}

void print_series(const ImageSeries& s, double ms) {
  const auto size = s.image->GetLargestPossibleRegion().GetSize();
  const auto& o = s.image->GetOrigin();
  const auto& sp = s.image->GetSpacing();
  const auto& d = s.image->GetDirection();
  std::printf("%s series %s (frame %s): %zu x %zu x %zu voxels of %.4g x %.4g x %.4g mm, origin (%.3f, %.3f, %.3f), "
              "normal (%.4f, %.4f, %.4f); read in %.0f ms\n",
              s.modality.c_str(), s.series_instance_uid.c_str(), s.frame_of_reference_uid.c_str(), size[0], size[1],
              size[2], sp[0], sp[1], sp[2], o[0], o[1], o[2], d[0][2], d[1][2], d[2][2], ms);
  print_notes(s.notes);
}

void print_object(DicomObject& object) {
  switch (kind_of(object)) {
    case ObjectKind::StructureSet: {
      const StructureSet set = load_structure_set(object);
      std::printf("RTSTRUCT %s \"%s\": %zu ROIs\n", set.sop_instance_uid.c_str(), set.label.c_str(), set.rois.size());
      for (const Roi& roi : set.rois) {
        std::printf("  ROI %d \"%s\" %s: %zu closed planar contours", roi.number, roi.name.c_str(),
                    roi.interpreted_type.empty() ? "(no type)" : roi.interpreted_type.c_str(), roi.contours.size());
        if (!roi.non_area_contours.empty()) std::printf(", %zu point/open contours", roi.non_area_contours.size());
        std::printf("\n");
        print_notes(roi.notes);
      }
      break;
    }
    case ObjectKind::Dose: {
      const DoseGrid grid = load_dose_grid(object);
      double top = 0;
      for (double v : grid.gy) top = std::max(top, v);
      std::printf("RTDOSE %s (%s, %s, %s): %zu x %zu x %zu grid of %.4g x %.4g mm, origin (%.3f, %.3f, %.3f), "
                  "maximum %.3f Gy, plan %s\n",
                  grid.sop_instance_uid.c_str(), grid.summation_type.c_str(), grid.dose_type.c_str(),
                  grid.dose_units.c_str(), grid.columns, grid.rows, grid.frames(), grid.column_spacing,
                  grid.row_spacing, grid.origin.x, grid.origin.y, grid.origin.z, top,
                  grid.referenced_plan_uid.empty() ? "(none)" : grid.referenced_plan_uid.c_str());
      print_notes(grid.notes);
      break;
    }
    case ObjectKind::Plan: {
      const RtPlan plan = load_rt_plan(object);
      const auto fractions = plan.fractions_planned();
      std::printf("RTPLAN %s \"%s\" %s, %s fractions, structure set %s\n", plan.sop_instance_uid.c_str(),
                  plan.label.c_str(), plan.approval_status.c_str(),
                  fractions ? std::to_string(*fractions).c_str() : "unknown",
                  plan.referenced_structure_set_uid.c_str());
      for (const Prescription& p : plan.prescriptions) {
        std::printf("  dose reference %d %s \"%s\": ", p.dose_reference_number, p.type.c_str(), p.description.c_str());
        if (p.target_prescription_dose_gy)
          std::printf("%.4g Gy (from %s)\n", *p.target_prescription_dose_gy, p.dose_source.c_str());
        else
          std::printf("no prescription dose\n");
      }
      print_notes(plan.notes);
      break;
    }
    case ObjectKind::Registration: {
      const SpatialRegistration reg = load_spatial_registration(object);
      std::printf("REG %s%s into frame %s\n", reg.sop_instance_uid.c_str(), reg.deformable ? " (deformable)" : "",
                  reg.frame_of_reference_uid.c_str());
      for (const RegistrationItem& item : reg.items) {
        const Matrix4& m = item.combined.matrix;
        std::printf("  from frame %s (%s): rotation rows (%.5f %.5f %.5f) (%.5f %.5f %.5f) (%.5f %.5f %.5f), "
                    "translation (%.3f, %.3f, %.3f) mm\n",
                    item.frame_of_reference_uid.c_str(), item.combined.type.c_str(), m[0], m[1], m[2], m[4], m[5],
                    m[6], m[8], m[9], m[10], m[3], m[7], m[11]);
      }
      print_notes(reg.notes);
      break;
    }
    case ObjectKind::Segmentation: {
      const Segmentation seg = load_segmentation(object);
      std::printf("SEG %s (%s), frame %s\n", seg.sop_instance_uid.c_str(), seg.segmentation_type.c_str(),
                  seg.frame_of_reference_uid.c_str());
      for (const SegmentMask& s : seg.segments)
        std::printf("  segment %d \"%s\": %zu voxels, %.3f cc\n", s.segment_number, s.label.c_str(), s.voxel_count(),
                    s.voxel_count() * s.column_spacing * s.row_spacing * s.slice_spacing / 1000.0);
      print_notes(seg.notes);
      break;
    }
    case ObjectKind::Image:
    case ObjectKind::Other: {
      // rtpof's own outputs: the SR's summary lines, the PDF's title and size.
      const std::string& sop_class = object.sop_class_uid();
      if (sop_class == UID_EnhancedSRStorage || sop_class == UID_ComprehensiveSRStorage) {
        const std::vector<std::string> summaries = report::report_summaries(object.dataset());
        if (!summaries.empty()) {
          std::printf("SR %s (rtpof report)\n", object.sop_instance_uid().c_str());
          for (const std::string& line : summaries) std::printf("  %s\n", line.c_str());
          break;
        }
      } else if (sop_class == UID_EncapsulatedPDFStorage) {
        const report::EncapsulatedDocument document = report::encapsulated_document(object.dataset());
        std::printf("Encapsulated PDF %s \"%s\": %zu bytes of %s (extract it with dcm2pdf)\n",
                    object.sop_instance_uid().c_str(), document.title.c_str(), document.bytes,
                    document.mime_type.c_str());
        break;
      }
      std::printf("%s: SOP class %s, not read by rtpof\n", object.label().c_str(), sop_class.c_str());
      break;
    }
  }
}

bool has_dicom_prefix(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  char head[132] = {};
  return in.read(head, sizeof head) && std::string(head + 128, 4) == "DICM";
}

}  // namespace

int inspect_command(const Arguments& args) {
  const CommandLine cl(args, {}, {});
  if (cl.positionals().empty()) throw UsageError("give one or more files or folders to inspect");
  initialise_dcmtk();
  quiet_dcmtk_parser();
  const auto start = Clock::now();
  std::vector<LoadError> unreadable;
  std::vector<DicomObject> objects = read_dicom_files(files_under(cl.positionals()), &unreadable);
  // A file with the DICM prefix that could not be read is a DICOM file with a problem, not "not DICOM".
  int failures = 0;
  std::size_t not_dicom = 0;
  for (const LoadError& e : unreadable) {
    if (has_dicom_prefix(e.instance())) {
      std::fprintf(stderr, "refused: %s\n", e.what());
      ++failures;
    } else {
      ++not_dicom;
    }
  }
  std::fprintf(stderr, "read %zu DICOM objects in %.0f ms; %zu refused; %zu files skipped as not DICOM\n",
               objects.size(), ms_since(start), unreadable.size() - not_dicom, not_dicom);

  std::map<std::string, std::vector<DicomObject>> series;
  for (DicomObject& object : objects) {
    if (kind_of(object) == ObjectKind::Image) {
      std::string uid;
      OFString value;
      if (object.dataset().findAndGetOFString(DCM_SeriesInstanceUID, value).good()) uid = value.c_str();
      series[uid].push_back(std::move(object));
      continue;
    }
    try {
      print_object(object);
    } catch (const LoadError& e) {
      std::fprintf(stderr, "refused: %s\n", e.what());
      ++failures;
    }
  }
  for (auto& [uid, members] : series) {
    try {
      const auto series_start = Clock::now();
      const ImageSeries loaded = load_image_series(members);
      print_series(loaded, ms_since(series_start));
    } catch (const LoadError& e) {
      std::fprintf(stderr, "refused: %s\n", e.what());
      ++failures;
    }
  }
  std::fprintf(stderr, "inspected in %.0f ms in all\n", ms_since(start));
  return failures ? 1 : 0;
}

}  // namespace rtpof::app
