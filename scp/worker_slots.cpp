#include "scp/worker_slots.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace rtpof::scp {

WorkerSlots::WorkerSlots(unsigned count, std::function<void(int)> serve)
    : serve_(std::move(serve)),
      wake_(std::make_unique<std::condition_variable[]>(std::max(count, 1u))),
      slots_(std::max(count, 1u)) {
  threads_.reserve(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) threads_.emplace_back([this, i] { loop(i); });
}

WorkerSlots::~WorkerSlots() { finish(std::chrono::milliseconds(0)); }

bool WorkerSlots::try_start(int fd) {
  std::size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finishing_) return false;
    const auto idle = std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.fd < 0; });
    if (idle == slots_.end()) return false;
    idle->fd = fd;
    idle->shutdown_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    index = static_cast<std::size_t>(idle - slots_.begin());
  }
  wake_[index].notify_one();
  return true;
}

void WorkerSlots::loop(std::size_t index) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_[index].wait(lock, [&] { return slots_[index].fd >= 0 || finishing_; });
    if (slots_[index].fd < 0) return;  // finishing, nothing to serve
    const int fd = slots_[index].fd;
    lock.unlock();
    serve_(fd);  // owns fd from here: closes it, whatever happens
    lock.lock();
    if (slots_[index].shutdown_fd >= 0) ::close(slots_[index].shutdown_fd);
    slots_[index] = Slot{};
    idle_.notify_all();
  }
}

std::size_t WorkerSlots::finish(std::chrono::milliseconds grace) {
  std::size_t cut = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    finishing_ = true;
    for (std::size_t i = 0; i < slots_.size(); ++i) wake_[i].notify_all();
    const auto all_idle = [&] { return std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.fd < 0; }); };
    if (!idle_.wait_for(lock, grace, all_idle)) {
      for (const Slot& s : slots_)
        if (s.shutdown_fd >= 0) {
          ::shutdown(s.shutdown_fd, SHUT_RDWR);
          ++cut;
        }
    }
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  return cut;
}

}  // namespace rtpof::scp
