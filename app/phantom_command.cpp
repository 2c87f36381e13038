// `rtpof phantom`: writes a synthetic patient with known truth (see phantom/phantom_writer.hpp).
#include <array>
#include <cmath>
#include <iostream>
#include <sstream>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "phantom/phantom_case.hpp"
#include "phantom/phantom_writer.hpp"

namespace rtpof::app {
namespace {

// "a,b,c" -> three numbers, each within +/- limit.
std::array<double, 3> triple(const CommandLine& cl, const std::string& flag, double limit) {
  const std::string text = *cl.value(flag);
  std::array<double, 3> v{};
  std::istringstream in(text);
  char comma = 0;
  if (!(in >> v[0] >> comma >> v[1] >> comma >> v[2]) || !(in >> std::ws).eof())
    throw UsageError(flag + " wants three numbers separated by commas, not \"" + text + "\"");
  for (const double x : v)
    if (!(std::abs(x) <= limit))
      throw UsageError(flag + " values must lie within +/-" + std::to_string(static_cast<int>(limit)));
  return v;
}

}  // namespace

int phantom_command(const Arguments& args) {
  const CommandLine cl(args,
                       {"--out", "--seed", "--size", "--case", "--slices", "--patient-id", "--patient-name",
                        "--rotation", "--translation", "--ct-origin", "--mr-fov"},
                       {"--reg", "--seg", "--list-cases"});
  if (cl.has("--list-cases")) {
    for (const auto& c : phantom::phantom_cases()) std::cout << c.name << "\t" << c.description << "\n";
    return 0;
  }
  const auto out = cl.value("--out");
  if (!out) throw UsageError("--out DIR is required");
  const auto seed = static_cast<std::uint64_t>(cl.integer("--seed", 0, 2147483647, 1));
  const std::string size = cl.value("--size").value_or("small");
  phantom::PhantomSpec spec;
  if (size == "small") spec = phantom::PhantomSpec::small(seed);
  else if (size == "standard") spec = phantom::PhantomSpec::standard(seed);
  else throw UsageError("--size must be small or standard, not \"" + size + "\"");
  spec.case_name = cl.value("--case").value_or(spec.case_name);
  try {
    phantom::find_case(spec.case_name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--case: ") + e.what());
  }
  spec.slices = static_cast<int>(cl.integer("--slices", 8, 2000, spec.slices));
  spec.reg = cl.has("--reg");
  spec.seg = cl.has("--seg");
  if (cl.has("--rotation")) spec.rotation_deg = triple(cl, "--rotation", 30);
  if (cl.has("--translation")) {
    const auto t = triple(cl, "--translation", 100);
    spec.translation_mm = phantom::Point3{t[0], t[1], t[2]};
  }
  if (cl.has("--ct-origin")) {
    const auto o = triple(cl, "--ct-origin", 2000);
    spec.ct_origin_mm = phantom::Point3{o[0], o[1], o[2]};
  }
  if (cl.has("--mr-fov")) {  // the MR's extent in mm, at its pixel and slice spacing
    const auto fov = triple(cl, "--mr-fov", 1000);
    const auto voxels = [](double mm, double spacing) {
      const int n = static_cast<int>(std::lround(mm / spacing));
      if (n < 8) throw UsageError("--mr-fov: each extent must hold at least 8 voxels");
      return n;
    };
    spec.mr_columns = voxels(fov[0], spec.mr_pixel_spacing_mm);
    spec.mr_rows = voxels(fov[1], spec.mr_pixel_spacing_mm);
    spec.mr_slices = voxels(fov[2], spec.mr_slice_spacing_mm);
  }
  if (auto id = cl.value("--patient-id")) spec.patient_id = *id;
  if (auto name = cl.value("--patient-name")) spec.patient_name = *name;
  initialise_dcmtk();
  const auto files = phantom::write_phantom(spec, *out);
  std::cerr << "phantom patient " << files.plan.patient_id << " (case " << spec.case_name << ", " << size
            << "): plan/ " << files.plan.ct.size() << " CT, RTSTRUCT, RTPLAN, RTDOSE; followup/ "
            << files.followup.mr.size() << " MR, " << (spec.seg ? "SEG" : "RTSTRUCT") << (spec.reg ? ", REG" : "")
            << "; truth in " << files.truth.string() << "\n";
  return 0;
}

}  // namespace rtpof::app
