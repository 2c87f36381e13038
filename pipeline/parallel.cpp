#include "pipeline/parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

namespace rtpof::pipeline {

std::vector<std::exception_ptr> for_each_index(std::size_t n, unsigned threads,
                                               const std::function<void(std::size_t)>& task) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        task(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const std::size_t helpers = std::min<std::size_t>(std::max(1u, threads), n == 0 ? 1 : n) - 1;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  return errors;
}

void rethrow_first(const std::vector<std::exception_ptr>& errors) {
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
}

unsigned core_count() {
  // A cohort running several analyses at once gives each its share (cohort/analysis_process.hpp).
  if (const char* threads = std::getenv("RTPOF_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(threads, &end, 10);
    if (end != threads && *end == '\0' && n >= 1 && n <= 1024) return static_cast<unsigned>(n);
  }
  // The cores this process may run on: a Slurm task or `taskset` gets fewer than the machine has.
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0)
    return static_cast<unsigned>(CPU_COUNT(&allowed));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace rtpof::pipeline
