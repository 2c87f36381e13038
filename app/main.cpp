// rtpof: the command. Dispatches to one function per subcommand (app/commands.hpp).
#include <iostream>
#include <map>
#include <string>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/memory_policy.hpp"
#include "rtpof_version.hpp"
#include "rules/node_config.hpp"

namespace {

const char* const usage = R"(usage: rtpof COMMAND [OPTIONS]

commands:
  serve    run the DICOM node (Storage SCP): receive, store, index
           [--config FILE] [--port N] [--ae-title AET] [--data-dir DIR]
           [--destination AET@HOST:PORT]... [--stable-age SECONDS]
           [--log-format text|json] [--log-level trace|debug|info|warn|error]
  status   counts from the index            [--data-dir DIR] [--config FILE] [--json]
  reindex  rebuild the index from the files [--data-dir DIR] [--config FILE]
  resend   queue dead report deliveries again (all, or the outbox ids `status` lists)
           [--data-dir DIR] [--config FILE] [ID...]
  rerun    run failed jobs again once their cause is mended (disk, permissions): all of current
           case versions, or the job ids `status` lists     [--data-dir DIR] [--config FILE] [ID...]
  backup   copy the data directory while the node runs (index snapshot, key, files) into a new
           folder, itself a data directory to restore  BACKUP_DIR [--data-dir DIR] [--config FILE]
  phantom  write a synthetic head-and-neck patient and its truth.json (docs/phantom.md)
           --out DIR [--case NAME] [--size small|standard] [--reg] [--seg] [--seed N]
           [--rotation RX,RY,RZ] [--translation TX,TY,TZ] [--slices N]
           [--ct-origin X,Y,Z (couch coordinates)] [--mr-fov X,Y,Z (MR extent, mm)]
           [--patient-id ID] [--patient-name NAME] | --list-cases
  analyze  one patient's folder: each recurrence's dose-volume figures and class, CTV D95/D98
           DIR [--json [FILE]] [--sr FILE (the DICOM SR the node would send)] [--config FILE]
           [--reg FILE (the automatic MR-to-CT fusion as a Spatial Registration)]
           [--rtstruct FILE (the recurrences mapped onto the planning CT, with its targets)]
           [--pdf FILE (the one-page report: class, figures, DVH, dose on the planning CT)]
           [--reference-dose GY] [--data-dir DIR (for the node's pseudonyms)] [--key FILE (a pseudonym key)]
  dvh      dose-volume figures of an RTSTRUCT's ROIs on an RTDOSE
           --rtstruct FILE --dose FILE [--images DIR] [--roi NAME]... [--reference-dose GY] [--json]
           [--curve STEP_GY (adds each ROI's cumulative DVH to the JSON)]
  cohort   the reference study's Table 2, its statistics and a figure for many patients (docs/cohort.md)
           DIR... | --manifest FILE.csv | --data-dir DIR   --out DIR [--jobs N] [--shard K/N]
           [--config FILE] [--key FILE (pseudonym key; shards must share one)] [--reference-dose GY]
           [--cache DIR (default OUT/cache; shards may share one)] [--retry-failed]
           | cohort merge SHARD_DIR... --out DIR
  results  the current result of every case the node analysed, in Table 2's columns
           [--data-dir DIR] [--config FILE] [--csv|--json] [--all-versions]
  inspect  what rtpof reads from DICOM files: series geometry, ROIs, dose grids, plans,
           registrations, segmentations, or why it refuses them      FILE|DIR...

  rtpof --help | --version
configuration: --config FILE; without --config and --data-dir, the installed one: $RTPOF_CONFIG,
  else /etc/rtpof/rtpof.toml when it exists (what the service runs with); else built-in defaults
exit codes: 0 success, 1 failure of the work, 2 bad usage or configuration
)";

// One command's lines of the usage above (its line and the indented ones that follow), so that
// `rtpof COMMAND --help` and the global usage come from one text and cannot drift apart.
std::string command_usage(const std::string& name) {
  const std::string text = usage;
  const std::string head = "\n  " + name + " ";
  const auto start = text.find(head);
  if (start == std::string::npos) return text;
  std::string block;
  std::size_t at = start + 1;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    const bool continuation = line.rfind("           ", 0) == 0;
    if (!block.empty() && !continuation) break;
    block += line + "\n";
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "usage: rtpof " + name + " [OPTIONS]\n\n" + block +
         "\nexit codes: 0 success, 1 failure of the work, 2 bad usage or configuration\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rtpof::app;
  set_allocator_policy();
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    std::cout << usage;
    return all.empty() ? 2 : 0;
  }
  if (all[0] == "--version") {
    std::cout << "rtpof " << rtpof::version << "\n";
    return 0;
  }
  const std::map<std::string, int (*)(const Arguments&)> commands = {
      {"serve", serve_command}, {"status", status_command}, {"reindex", reindex_command},
      {"phantom", phantom_command}, {"inspect", inspect_command}, {"analyze", analyze_command},
      {"dvh", dvh_command}, {"resend", resend_command}, {"rerun", rerun_command},
      {"backup", backup_command}, {"cohort", cohort_command}, {"results", results_command}};
  const auto command = commands.find(all[0]);
  if (command == commands.end()) {
    std::cerr << "rtpof: unknown command \"" << all[0] << "\"\n" << usage;
    return 2;
  }
  const Arguments rest(all.begin() + 1, all.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::cout << command_usage(all[0]);
      return 0;
    }
  try {
    return command->second(rest);
  } catch (const UsageError& e) {
    std::cerr << "rtpof " << all[0] << ": " << e.what() << "\n";
    return 2;
  } catch (const rtpof::rules::ConfigError& e) {
    std::cerr << "rtpof " << all[0] << ": configuration: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rtpof " << all[0] << ": " << e.what() << "\n";
    return 1;
  }
}
