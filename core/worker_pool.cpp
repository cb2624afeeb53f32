#include "core/worker_pool.hpp"

#include <algorithm>

namespace faxemu {

WorkerPool::WorkerPool(std::size_t threads) {
    threads = std::max<std::size_t>(threads, 1);
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this](std::stop_token stop) { work(stop); });
}

WorkerPool::~WorkerPool() {
    stop();
}

void WorkerPool::post(Task task) {
    {
        std::lock_guard lock(mutex_);
        if (threads_.empty() || threads_.front().get_stop_token().stop_requested()) return;
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mutex_);
        queue_.clear();
        for (auto& t : threads_) t.request_stop();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

std::size_t WorkerPool::pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size() + running_;
}

void WorkerPool::work(std::stop_token stop) {
    for (;;) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            if (!wake_.wait(lock, stop, [this] { return !queue_.empty(); })) return;
            task = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
        }
        try {
            task(stop);
        } catch (...) {
        }
        std::lock_guard lock(mutex_);
        --running_;
    }
}

}  // namespace faxemu
