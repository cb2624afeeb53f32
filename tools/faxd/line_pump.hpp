// The pumps that move faxd's lines, apart from the daemon that wires them: the
// virtual exchange of the simulated ports stepped in 20 ms blocks (as fast as
// it goes, or paced to wall time with every tick's lateness counted,
// core/tick_meter.hpp), and the modems polled every 10 ms. Between blocks they
// call back into faxd (Calls) to serve the queue and publish status. Today one
// line thread, the io thread, runs both.
#pragma once

#include <asio.hpp>

#include <functional>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "core/tick_meter.hpp"
#include "devices/virtual_exchange.hpp"

namespace faxemu::faxd {

class LinePump {
  public:
    // What the pumps call in faxd, on the io thread.
    struct Calls {
        std::function<void()> before_block;    // e.g. ports a reload left pending
        std::function<void()> dispatch;        // the queue onto free ports
        std::function<void()> publish_status;  // ports' status to clients, as it changed
        std::function<void()> poll;            // rings answered, timers of calls at rest
        // Until the next thing the scheduler has to do (a retry's time); none: nothing pending.
        std::function<std::optional<Duration>()> until_next_wakeup;
    };
    // One line thread's load since faxd started.
    struct ThreadLoad {
        TickCounts ticks;
        double cpu_seconds = 0;
    };
    // How often the log tells late ticks (only when some were late).
    static constexpr std::chrono::seconds kLogInterval{60};

    LinePump(asio::io_context& io, VirtualExchange& exchange, const std::vector<Device*>& modems,
             Calls calls);

    // Starts the exchange's pump at `speed` (0: unpaced, 1: real time) and, if
    // there are modems, theirs.
    void start(double speed);
    // Starts the modems' pump if it is not running (a modem port added by a reload).
    void start_modems();
    // Hurries the exchange's pump: the queue or the ports changed.
    void wake();
    void stop();
    // Per line thread (today one); on the io thread.
    std::vector<ThreadLoad> load() const;

  private:
    asio::awaitable<void> exchange_pump(double speed);
    asio::awaitable<void> modem_pump();
    // A paced block started at `actual`, planned for `planned`.
    void measure(TickMeter::Time planned, TickMeter::Time actual);
    std::chrono::milliseconds idle_wait() const;

    asio::io_context& io_;
    VirtualExchange& exchange_;
    const std::vector<Device*>& modems_;
    Calls calls_;
    asio::steady_timer timer_;  // the exchange pump's; cancelled by wake()
    bool started_ = false;
    bool modems_running_ = false;
    bool stopping_ = false;
    TickMeter meter_;
    std::optional<ThreadCpuClock> cpu_;  // the line thread's, once it runs
    TickMeter::Time next_log_{};
};

}  // namespace faxemu::faxd
