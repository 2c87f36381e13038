// The durable floor of ingest: what making one received instance durable costs on this disk, by
// rtpof's own steps (storage/durable_file) and nothing else. Each of THREADS threads writes files of
// SIZE_KB into DIR/.incoming (as the receiver does), then fsyncs it, renames it into DIR/series and
// fsyncs that directory (as Archive::ingest does). Prints the wall time per file in ms, then the CPU
// time (user and kernel, all threads) per file in ms: what the durable steps take from the cores that
// receiving also needs.
// Usage: rtpof_commit_latency DIR FILES SIZE_KB THREADS
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/durable_file.hpp"

namespace {

double cpu_ms() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: rtpof_commit_latency DIR FILES SIZE_KB THREADS\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int files = std::atoi(argv[2]), threads = std::atoi(argv[4]);
  const std::string content(static_cast<std::size_t>(std::atoi(argv[3])) * 1024, 'x');
  std::filesystem::create_directories(dir / ".incoming");
  rtpof::storage::create_directories_durably(dir / "series");
  std::atomic<int> next{0};
  const double cpu_start = cpu_ms();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = next++; i < files; i = next++) {
        const auto part = dir / ".incoming" / (std::to_string(i) + ".part");
        const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) std::abort();
        ::close(fd);
        rtpof::storage::sync_path(part);
        const auto final_path = dir / "series" / (std::to_string(i) + ".dcm");
        if (::rename(part.c_str(), final_path.c_str()) != 0) std::abort();
        rtpof::storage::sync_path(final_path.parent_path());
      }
    });
  for (auto& thread : pool) thread.join();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_ms() - cpu_start;
  std::printf("%.3f %.3f\n", ms / files, cpu / files);
  std::filesystem::remove_all(dir);
  return 0;
}
