#pragma once
// What a cohort run tells the person waiting: one line per patient (analysed, from the cache, or not
// analysed and why) and, on a terminal, a bar below them that redraws in place. Without a terminal
// (a pipe, a Slurm log) only the lines, each with its count, so logs stay readable. Thread-safe.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace rtpof::cohort {

class Progress {
 public:
  Progress(std::FILE* to, std::size_t total, bool terminal);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One patient is done; `line` says how. `failed`: it could not be analysed.
  void patient_done(const std::string& line, bool failed);
  // Ends the bar's line.
  void finish();

 private:
  void draw_bar();

  std::FILE* to_;
  std::size_t total_, done_ = 0, failed_ = 0;
  bool terminal_;
  std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
};

}  // namespace rtpof::cohort
