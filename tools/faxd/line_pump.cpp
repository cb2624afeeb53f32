#include "tools/faxd/line_pump.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace faxemu::faxd {

namespace {

constexpr int kBlocksPerSlice = 50;  // unpaced: 1 s of line time, then let the protocol run

double as_ms(std::chrono::microseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

}  // namespace

LinePump::LinePump(asio::io_context& io, VirtualExchange& exchange,
                   const std::vector<Device*>& modems, Calls calls)
    : io_(io), exchange_(exchange), modems_(modems), calls_(std::move(calls)), timer_(io) {}

void LinePump::start(double speed) {
    started_ = true;
    asio::co_spawn(io_, exchange_pump(speed), asio::detached);
    if (!modems_.empty()) start_modems();
}

void LinePump::start_modems() {
    if (!started_ || modems_running_) return;
    modems_running_ = true;
    asio::co_spawn(io_, modem_pump(), asio::detached);
}

void LinePump::wake() {
    timer_.cancel();
}

void LinePump::stop() {
    stopping_ = true;
    timer_.cancel();
}

std::vector<LinePump::ThreadLoad> LinePump::load() const {
    return {ThreadLoad{meter_.total(), cpu_ ? cpu_->seconds() : 0.0}};
}

void LinePump::measure(TickMeter::Time planned, TickMeter::Time actual) {
    meter_.tick(planned, actual);
    if (actual < next_log_) return;
    if (next_log_ != TickMeter::Time{}) {
        const TickCounts c = meter_.take_interval();
        if (c.late_5ms > 0)
            spdlog::warn(
                "faxd: line thread 0: {} of {} tick(s) in the last {} s late by more than 5 ms, "
                "{} by more than 20 ms (worst {:.1f} ms); {:.1f} s of CPU since start",
                c.late_5ms, c.ticks, kLogInterval.count(), c.late_20ms, as_ms(c.worst),
                cpu_ ? cpu_->seconds() : 0.0);
    }
    next_log_ = actual + kLogInterval;
}

std::chrono::milliseconds LinePump::idle_wait() const {
    auto wait = std::chrono::milliseconds(250);
    if (auto until = calls_.until_next_wakeup())
        wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*until),
                          std::chrono::milliseconds(0), wait);
    return wait;
}

asio::awaitable<void> LinePump::exchange_pump(double speed) {
    cpu_.emplace(ThreadCpuClock::of_this_thread());
    asio::error_code ec;  // a cancelled wait is how wake() hurries the pump
    std::int64_t paced_blocks = 0;
    auto paced_start = std::chrono::steady_clock::now();
    while (!stopping_) {
        calls_.before_block();
        calls_.dispatch();
        if (exchange_.active()) {
            if (speed <= 0) {
                for (int i = 0; i < kBlocksPerSlice && exchange_.active(); ++i) exchange_.step();
                calls_.publish_status();
                co_await asio::post(io_, asio::use_awaitable);
            } else {
                if (paced_blocks == 0) paced_start = std::chrono::steady_clock::now();
                exchange_.step();
                ++paced_blocks;
                calls_.publish_status();
                const auto planned =
                    paced_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      VirtualExchange::kBlock * paced_blocks / speed);
                timer_.expires_at(planned);
                co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                // A wait cut short by wake() is no tick: the block after it starts early.
                if (!ec) measure(planned, std::chrono::steady_clock::now());
            }
        } else {
            paced_blocks = 0;
            calls_.poll();
            calls_.publish_status();
            timer_.expires_after(idle_wait());
            co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
}

// Modems keep their own timers (AT timeouts, T.30's timers when the host runs
// T.30) on the system clock; they are polled every 10 ms, and their calls'
// status is published as it changes.
asio::awaitable<void> LinePump::modem_pump() {
    asio::steady_timer timer(io_);
    asio::error_code ec;
    auto next = std::chrono::steady_clock::now();
    int slices = 0;
    while (!stopping_) {
        for (Device* d : modems_) d->poll();
        if (++slices % 5 == 0) {  // every 50 ms: rings answered, status shown, queue served
            calls_.poll();
            calls_.dispatch();
            calls_.publish_status();
        }
        next += std::chrono::milliseconds(10);
        const auto now = std::chrono::steady_clock::now();
        if (next < now) next = now;
        timer.expires_at(next);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

}  // namespace faxemu::faxd
