// Fuzz harness: every DICOM-RT loader, from bytes. A loader may refuse (LoadError, or any exception
// with a reason); it may not crash, leak, read out of bounds or trip UBSan.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "pipeline/dicomrt/dicom_object.hpp"
#include "pipeline/dicomrt/dose_grid.hpp"
#include "pipeline/dicomrt/rt_plan.hpp"
#include "pipeline/dicomrt/segmentation.hpp"
#include "pipeline/dicomrt/spatial_registration.hpp"
#include "pipeline/dicomrt/structure_set.hpp"
#include "tests/fuzz/fuzz_setup.hpp"

using namespace rtpof::pipeline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtpof::fuzz::initialise_once();
  try {
    DicomObject object = DicomObject::parse(std::vector<char>(data, data + size), "fuzz");
    switch (kind_of(object)) {
      case ObjectKind::StructureSet: load_structure_set(object); break;
      case ObjectKind::Dose: load_dose_grid(object); break;
      case ObjectKind::Plan: load_rt_plan(object); break;
      case ObjectKind::Registration: load_spatial_registration(object); break;
      case ObjectKind::Segmentation: load_segmentation(object); break;
      case ObjectKind::Image:
      case ObjectKind::Other: break;
    }
  } catch (const std::exception&) {
    // A refusal with a reason is the expected answer to a broken input.
  }
  return 0;
}
