#include "cohort/progress.hpp"

namespace rtpof::cohort {

Progress::Progress(std::FILE* to, std::size_t total, bool terminal)
    : to_(to), total_(total), terminal_(terminal), started_(std::chrono::steady_clock::now()) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_) draw_bar();
}

void Progress::patient_done(const std::string& line, bool failed) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  failed_ += failed;
  if (terminal_) std::fputs("\r\033[K", to_);  // the bar's line becomes this patient's line
  std::fprintf(to_, "rtpof cohort: [%zu/%zu] %s\n", done_, total_, line.c_str());
  if (terminal_) draw_bar();
  std::fflush(to_);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (terminal_) std::fputs("\n", to_);
  std::fflush(to_);
}

void Progress::draw_bar() {
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = total_ ? kWidth * done_ / total_ : kWidth;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(to_, "\r[%s] %zu/%zu patients, %zu not analysed, %.0f s", bar.c_str(), done_, total_, failed_, seconds);
  std::fflush(to_);
}

}  // namespace rtpof::cohort
