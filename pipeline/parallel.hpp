#pragma once
// The one way rtpof spreads independent work over cores: tasks taken by index from a shared counter,
// every task's exception kept for the caller (none is lost, none escapes a thread).
#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

namespace rtpof::pipeline {

// Runs task(i) for every i in [0, n) on at most `threads` threads (the caller's included).
// Returns, per index, the exception its task threw, or null.
std::vector<std::exception_ptr> for_each_index(std::size_t n, unsigned threads,
                                               const std::function<void(std::size_t)>& task);

// Rethrows the first exception of for_each_index's result, if any.
void rethrow_first(const std::vector<std::exception_ptr>& errors);

// Sums over many points are split into this many partial sums, whatever the machine's cores, so that
// the same input gives the same bits on every machine.
inline constexpr std::size_t kSumChunks = 8;

// The cores to use, at least 1: $RTPOF_THREADS when set (a cohort's share per analysis), else the
// cores this process may run on (its affinity: a Slurm task's allocation, `taskset`).
unsigned core_count();

}  // namespace rtpof::pipeline
