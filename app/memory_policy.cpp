#include "app/memory_policy.hpp"

#include <malloc.h>

namespace rtpof::app {

void set_allocator_policy() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_ARENA_MAX, 1);
}

}  // namespace rtpof::app
