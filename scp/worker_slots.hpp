#pragma once
// A fixed set of association threads, made once and joined at the end: no thread is created per
// association, so none can outlive its object or leak its stack (DCMTK 3.6.7's pool did both).
// Each connection handed over runs `serve(fd)` on an idle slot; when all are busy the caller is told,
// and refuses the association itself.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rtpof::scp {

class WorkerSlots {
 public:
  WorkerSlots(unsigned count, std::function<void(int fd)> serve);
  ~WorkerSlots();  // finish(): joins every thread
  WorkerSlots(const WorkerSlots&) = delete;
  WorkerSlots& operator=(const WorkerSlots&) = delete;

  // Hands `fd` to an idle slot; false (and `fd` untouched) when all are busy or finishing.
  bool try_start(int fd);

  // Lets running associations end on their own for up to `grace`, then shuts their sockets down
  // (their threads see the connection end at once), then joins every thread. Returns how many had
  // to be cut short.
  std::size_t finish(std::chrono::milliseconds grace);

 private:
  struct Slot {
    int fd = -1;          // the connection being served; -1 when idle
    int shutdown_fd = -1; // a duplicate kept to shut the socket down from outside, whatever DCMTK does to fd
  };
  void loop(std::size_t index);

  std::function<void(int)> serve_;
  std::mutex mutex_;
  std::unique_ptr<std::condition_variable[]> wake_;  // one per slot: a start wakes only its thread
  std::condition_variable idle_;                      // a slot became idle (finish() waits on it)
  std::vector<Slot> slots_;
  std::vector<std::thread> threads_;
  bool finishing_ = false;
};

}  // namespace rtpof::scp
