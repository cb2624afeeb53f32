// The coroutine type the drivers write their AT dialogues in, so that a call reads
// top to bottom (`co_await at.command("AT+FRH=3", 90s)`) instead of as a chain of
// callbacks.
//
// Why not asio::awaitable: an asio coroutine is resumed by its executor, so a
// virtual-time test would have to run the io_context between every step and the
// line could race ahead of the host. A Task runs on no executor: it starts when it
// is awaited (or start()ed) and is resumed inline by whatever completes what it
// waits for, e.g. the AtChannel from the owner's poll() or from a read. Virtual
// time drives it as it drives the rest of the line (see the Clock in DESIGN.md).
//
// Lifetime, the one rule for devices/serial, class1, class2 and modem_port: an
// object owns the coroutines it starts and drops them before the members they use
// (first thing in its destructor), and a dropped coroutine withdraws whatever it
// waits for (every awaiter deregisters in its destructor: AtChannel's command,
// ModemLine::until_free, the drivers' waits). So nothing can resume or call back
// into an object that is gone, and no object keeps weak "alive" guards. The other
// half: nothing is destroyed from inside its own handlers or a coroutine it resumed;
// an object ended from there is reset instead (ModemLine::close() resets its
// AtChannel and SerialLine, which it keeps for its whole life). Asio's completion
// handlers are not ours to withdraw: SerialLine orphans them itself on close.
//
// A Task owns its frame. Destroying a suspended task destroys the frame and every
// awaiter in it, so an owner cancels a dialogue by dropping its task. A task must
// not be destroyed while it runs; a top-level task's `on_done` runs once its frame
// has stopped for good, and may destroy the task.
//
// g++ 12 miscompiles some coroutines that `co_await` inside an if condition
// (`else if (!co_await x)` crashed on resume and on destroy): await into a local
// first (`const bool ok = co_await x; if (!ok) ...`).
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

namespace faxemu {

template <typename T>
class Task;

namespace detail {

struct TaskPromiseBase {
    std::coroutine_handle<> continuation;  // who awaits this task
    std::exception_ptr error;
    std::function<void()> on_done;  // a started (top-level) task's end

    struct Final {
        bool await_ready() noexcept { return false; }
        template <typename Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
            TaskPromiseBase& p = h.promise();
            if (p.continuation) return p.continuation;
            // The frame is suspended for good: on_done may destroy it.
            if (std::function<void()> done = std::move(p.on_done)) done();
            return std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };

    std::suspend_always initial_suspend() noexcept { return {}; }
    Final final_suspend() noexcept { return {}; }
    void unhandled_exception() { error = std::current_exception(); }
};

template <typename T>
struct TaskPromise : TaskPromiseBase {
    std::optional<T> value;
    void return_value(T v) { value = std::move(v); }
    T take() {
        if (error) std::rethrow_exception(error);
        return std::move(*value);
    }
};

template <>
struct TaskPromise<void> : TaskPromiseBase {
    void return_void() {}
    void take() {
        if (error) std::rethrow_exception(error);
    }
};

}  // namespace detail

template <typename T = void>
class Task {
  public:
    struct promise_type : detail::TaskPromise<T> {
        Task get_return_object() { return Task(Handle::from_promise(*this)); }
    };
    using Handle = std::coroutine_handle<promise_type>;

    Task() = default;
    Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            reset();
            h_ = std::exchange(other.h_, {});
        }
        return *this;
    }
    ~Task() { reset(); }

    explicit operator bool() const { return static_cast<bool>(h_); }
    bool done() const { return !h_ || h_.done(); }
    // Destroys the frame (cancelling what it waits for). Not while it runs.
    void reset() {
        if (h_) std::exchange(h_, {}).destroy();
    }

    // Runs a top-level task until it first waits; `on_done` runs when it ends
    // (it may destroy the task). An exception that ends it is rethrown by result().
    void start(std::function<void()> on_done) {
        h_.promise().on_done = std::move(on_done);
        h_.resume();
    }
    // The value (or exception) of a task that is done.
    T result() { return h_.promise().take(); }

    // Awaiting a task runs it; the awaiter resumes when it ends.
    bool await_ready() const noexcept { return done(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h_.promise().continuation = awaiting;
        return h_;
    }
    T await_resume() { return h_.promise().take(); }

  private:
    explicit Task(Handle h) : h_(h) {}
    Handle h_;
};

}  // namespace faxemu
