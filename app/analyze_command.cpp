// rtpof analyze DIR: one patient's folder analysed as the node would: each recurrence's dose-volume
// figures and class, the CTVs' D95/D98 and the GTV volumes (the reference study's Table 2 and the class).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>

#include "jobs/analysis_json.hpp"
#include "jobs/analysis_rules.hpp"
#include "jobs/case_assembly.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/dcmtk_runtime.hpp"
#include "jobs/report_inputs.hpp"
#include "report/registration_writer.hpp"
#include "report/pdf_report.hpp"
#include "report/structure_set_writer.hpp"
#include "report/report_writer.hpp"
#include "storage/pseudonym.hpp"

namespace rtpof::app {

using namespace rtpof::jobs;  // app/ wires the jobs layer
namespace {

using nlohmann::json;
using namespace rtpof::pipeline;

// `--json` alone means standard output: give it the value "-" so the parser sees a value.
Arguments json_flag_without_file(Arguments args) {
  for (std::size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--json" && (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0)) args[i] = "--json=-";
  return args;
}

// The key given (--key: a cohort's), else the node's when a data directory is given, else a key for this
// run only: the pseudonym then identifies the patient within this output and nowhere else.
std::string pseudonym_of(const AssembledCase& folder, const CommandLine& cl) {
  if (const auto key = cl.value("--key"))
    return storage::Pseudonymizer::from_key_file(*key).pseudonym(folder.patient_id, folder.issuer);
  if (const auto data_dir = cl.value("--data-dir"))
    return storage::Pseudonymizer::from_key_file(std::filesystem::path(*data_dir) / "pseudonym.key")
        .pseudonym(folder.patient_id, folder.issuer);
  std::random_device random;
  std::vector<unsigned char> key(32);
  for (auto& byte : key) byte = static_cast<unsigned char>(random());
  return storage::Pseudonymizer(key).pseudonym(folder.patient_id, folder.issuer);
}

void print_table(std::FILE* to, const CaseResult& result, const AssembledCase& folder) {
  for (const DoseInterpretation& i : folder.dose_interpretations) {
    std::fprintf(to, "dose: %s\n", describe(i).c_str());
    for (const std::string& warning : i.warnings) std::fprintf(to, "WARNING: %s\n", warning.c_str());
  }
  std::fprintf(to, "reference dose %.2f Gy (%s); registration %s %s\n", result.reference_dose_gy,
               result.reference_dose_source.c_str(), folder.registration.source.c_str(),
               folder.registration.quality ? folder.registration.quality->summary.c_str()
                                           : folder.registration.reg_uid.c_str());
  if (folder.registration.quality && folder.registration.quality->doubtful)
    std::fprintf(to, "REGISTRATION DOUBTFUL: the classes below rest on an MR-CT registration that did not pass its "
                     "check; register in the planning system and send the REG, or review the fusion\n");
  std::fprintf(to, "GTV_P %s cc, GTV_N %s cc",
               result.gtv_primary_cc ? std::to_string(*result.gtv_primary_cc).substr(0, 6).c_str() : "-",
               result.gtv_nodal_cc ? std::to_string(*result.gtv_nodal_cc).substr(0, 6).c_str() : "-");
  for (const CtvResult& c : result.ctvs)
    std::fprintf(to, "; %s (%s) D98 %.2f Gy, D95 %.2f Gy", c.roi.c_str(), c.level.c_str(), c.d98_gy, c.d95_gy);
  std::fprintf(to, "\n\n%-20s %9s %8s %9s %8s %8s %9s %9s %-10s %s\n", "recurrence", "volume cc", "V95 %", "D100 Gy",
               "D98 Gy", "D95 Gy", "Dmean Gy", "Dmax Gy", "class", "notes");
  for (const RecurrenceResult& r : result.recurrences) {
    std::string notes;
    if (r.borderline) notes += "borderline (V95 " + std::to_string(r.v95_range_pct[0]).substr(0, 5) + "-" +
                               std::to_string(r.v95_range_pct[1]).substr(0, 5) + " %) ";
    if (r.coverage_pct < 99.95) notes += "only " + std::to_string(r.coverage_pct).substr(0, 5) + " % inside the dose grid ";
    if (r.centroid_in) notes += "centroid in " + *r.centroid_in;
    std::fprintf(to, "%-20s %9.2f %8.2f %9.2f %8.2f %8.2f %9.2f %9.2f %-10s %s\n", r.roi.c_str(), r.volume_cc,
                 r.v95_pct, r.d100_gy, r.d98_gy, r.d95_gy, r.dmean_gy, r.dmax_gy, to_string(r.miss_class),
                 notes.c_str());
  }
  // What assembling the case noted (files skipped, plan choice, character sets): said, not kept back.
  for (const std::string& note : folder.notes) std::fprintf(to, "note: %s\n", note.c_str());
}

}  // namespace

int analyze_command(const Arguments& raw_args) {
  const CommandLine cl(json_flag_without_file(raw_args), {"--json", "--sr", "--reg", "--rtstruct", "--pdf", "--config", "--reference-dose", "--data-dir", "--key"}, {});
  initialise_dcmtk();
  quiet_dcmtk_parser();
  if (cl.positionals().size() != 1) throw UsageError("give exactly one folder: rtpof analyze DIR [--json FILE]");
  // The rules file's [classification], [roi_names] and [matching] rules, as the node applies them.
  const AnalysisRules rules =
      cl.has("--config") ? analysis_rules_from(rules::load_node_config(*cl.value("--config"))) : AnalysisRules{};
  const std::filesystem::path folder = cl.positionals().front();
  if (!std::filesystem::exists(folder)) throw UsageError("no such folder: " + folder.string());
  AssemblyOptions options = rules.options;
  if (cl.has("--reference-dose")) options.reference_dose_gy = cl.number("--reference-dose", 0.01, 1000, 0);

  // A line per stage on standard error: the automatic registration is otherwise many seconds of silence.
  const auto started = std::chrono::steady_clock::now();
  auto progress = [started](const std::string& stage) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "rtpof analyze: %5.1f s  %s\n", seconds, stage.c_str());
  };
  options.progress = progress;
  AssembledCase assembled;
  try {
    assemble_case(folder, options, assembled);
  } catch (const IncompleteCase& e) {
    std::cerr << "rtpof analyze: " << e.what() << "\n";
    return 1;
  }
  progress("computing the dose-volume figures");
  const CaseResult result = analyse_case(assembled.inputs, rules.classification);
  progress("done");
  const auto json_to = cl.value("--json");
  const bool json_on_stdout = json_to && *json_to == "-";
  print_table(json_on_stdout ? stderr : stdout, result, assembled);
  if (json_to) {
    const std::string text = analysis_json(assembled, result, pseudonym_of(assembled, cl)).dump(2);
    if (json_on_stdout) {
      std::cout << text << "\n";
    } else {
      std::ofstream out(*json_to);
      out << text << "\n";
      if (!out) throw std::runtime_error("cannot write " + *json_to);
    }
  }
  // One identity for every object written, as a node job's: the REG's and the RTSTRUCT's UIDs follow the SR's.
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  const report::ReportContext context = report_context(
      assembled, report::report_device(std::string("analyze@") + host), new_report_identity(assembled, 1));
  if (const auto sr_to = cl.value("--sr")) {
    report::write_report_file(result, context, *sr_to);
    std::cerr << "report written to " << *sr_to << "\n";
  }
  if (const auto reg_to = cl.value("--reg")) {
    // The fusion used, for the planning system; a REG that came with the case is that fusion already.
    if (assembled.registration.source == "REG") {
      std::cerr << "no REG written to " << *reg_to << ": the case's own REG " << assembled.registration.reg_uid
                << " is the fusion used\n";
    } else {
      report::write_registration_file(assembled.registration.mr_to_ct, registered_frames(assembled), context, *reg_to);
      std::cerr << "registration written to " << *reg_to << "\n";
    }
  }
  if (const auto rtstruct_to = cl.value("--rtstruct")) {
    // The recurrence on the planning CT, for the planning system.
    report::write_structure_set_file(planning_outlines(assembled), planning_series(assembled),
                                     structure_set_description(assembled), context, *rtstruct_to);
    std::cerr << "recurrence on the planning CT written to " << *rtstruct_to << "\n";
  }
  if (const auto pdf_to = cl.value("--pdf")) {
    // The one-page report the node sends as an Encapsulated PDF, as a plain PDF file.
    report::write_report_pdf_file(
        result, report_page(assembled, result, pseudonym_of(assembled, cl), context.device.version),
        *pdf_to);
    std::cerr << "one-page report written to " << *pdf_to << "\n";
  }
  return 0;
}

}  // namespace rtpof::app
