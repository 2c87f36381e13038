#pragma once
// The allocator's process-wide policy, set once at start-up, before any thread starts.
namespace rtpof::app {

// A job allocates and frees tens of megabytes per structure (a million quadrature points, their doses,
// the sorted curve). With glibc's defaults each such block is a fresh mmap whose every page faults in
// on first touch and goes back to the kernel on free, and a job on its own thread gets an arena of
// 64 MiB heaps of its own: on a 2-core VM that was a fifth of a job's time (bench/latency). So blocks
// up to 32 MiB (glibc's largest mmap threshold) come from the heap, every thread shares the main arena
// (the node's threads allocate little besides the job's), and free memory is kept up to 1 GiB; the
// node's job runner hands it back after each job (malloc_trim).
void set_allocator_policy();

}  // namespace rtpof::app
