// The one pool of threads faxd uses for heavy work (document conversion,
// routing programs), so that nothing slow runs on the thread that serves the
// control protocol or drives the lines. Long tasks watch their stop token so
// that stop() ends them early instead of waiting for them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace faxemu {

class WorkerPool {
  public:
    using Task = std::function<void(std::stop_token)>;

    // Starts `threads` workers (at least one).
    explicit WorkerPool(std::size_t threads);
    ~WorkerPool();  // stop()
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Runs `task` on a worker, in posting order as workers come free. Ignored
    // after stop(). Exceptions a task lets out are swallowed (logged by nobody):
    // tasks report their own failures.
    void post(Task task);

    // Asks running tasks to stop (their stop tokens fire), drops tasks not yet
    // started, and waits for the workers to end. Idempotent.
    void stop();

    std::size_t size() const { return threads_.size(); }
    // Tasks posted and not yet finished (queued or running).
    std::size_t pending() const;

  private:
    void work(std::stop_token stop);

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<Task> queue_;
    std::size_t running_ = 0;
    std::vector<std::jthread> threads_;
};

}  // namespace faxemu
