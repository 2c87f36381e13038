// `rtpof phantom`: writes the synthetic planning case (see phantom/phantom_writer.hpp).
#include <iostream>

#include "app/commands.hpp"
#include "app/command_line.hpp"
#include "app/dcmtk_runtime.hpp"
#include "phantom/phantom_writer.hpp"

namespace rtpof::app {

int phantom_command(const Arguments& args) {
  const CommandLine cl(args, {"--out", "--seed", "--size", "--slices", "--patient-id", "--patient-name"}, {});
  const auto out = cl.value("--out");
  if (!out) throw UsageError("--out DIR is required");
  const auto seed = static_cast<std::uint64_t>(cl.integer("--seed", 0, 2147483647, 1));
  const std::string size = cl.value("--size").value_or("small");
  phantom::PhantomSpec spec;
  if (size == "small") spec = phantom::PhantomSpec::small(seed);
  else if (size == "standard") spec = phantom::PhantomSpec::standard(seed);
  else throw UsageError("--size must be small or standard, not \"" + size + "\"");
  spec.slices = static_cast<int>(cl.integer("--slices", 8, 2000, spec.slices));
  if (auto id = cl.value("--patient-id")) spec.patient_id = *id;
  if (auto name = cl.value("--patient-name")) spec.patient_name = *name;
  initialise_dcmtk();
  const auto files = phantom::write_planning_objects(spec, *out);
  std::cerr << "phantom patient " << files.patient_id << ": " << files.ct.size()
            << " CT slices, RTSTRUCT, RTPLAN, RTDOSE in " << (std::filesystem::path(*out) / "plan").string() << "\n";
  return 0;
}

}  // namespace rtpof::app
