#pragma once
// One function per `rtpof` subcommand; each returns the process exit code (docs/interface.md:
// 0 success, 1 failure of the work, 2 bad usage or configuration).
#include <string>
#include <vector>

namespace rtpof::app {

using Arguments = std::vector<std::string>;

int serve_command(const Arguments& args);
int status_command(const Arguments& args);
int reindex_command(const Arguments& args);
int backup_command(const Arguments& args);
int resend_command(const Arguments& args);
int rerun_command(const Arguments& args);
int phantom_command(const Arguments& args);
int inspect_command(const Arguments& args);
int analyze_command(const Arguments& args);
int dvh_command(const Arguments& args);
int cohort_command(const Arguments& args);
int results_command(const Arguments& args);

}  // namespace rtpof::app
