#pragma once
// Counters the periodic stats line reports; updated by worker threads.
#include <atomic>
#include <cstdint>

namespace rtpof::scp {

struct ListenerStats {
  std::atomic<std::uint64_t> associations_accepted{0};
  std::atomic<std::uint64_t> associations_refused{0};
  // Of those: the caller was not allowed (AE title or address), or its TLS handshake failed; the rest
  // had no acceptable context, came past the association limit, or sent no readable request.
  std::atomic<std::uint64_t> refused_not_authorised{0};
  std::atomic<std::uint64_t> refused_tls_handshake{0};
  std::atomic<std::uint64_t> contexts_refused{0};  // presentation contexts refused inside accepted associations
  std::atomic<std::uint64_t> instances_stored{0};
  std::atomic<std::uint64_t> instances_duplicate{0};
  std::atomic<std::uint64_t> instances_refused{0};
  std::atomic<std::uint64_t> bytes_stored{0};
  std::atomic<std::uint64_t> active_associations{0};  // being served by a worker slot right now
};

}  // namespace rtpof::scp
