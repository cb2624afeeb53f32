// faxd's counters for /metrics, kept in one place: calls by direction and
// result, failures by failure class, pages sent and received. Fed where a call
// ends (Daemon::call_ended), read when Prometheus scrapes; both on faxd's io
// thread, so the counters are plain integers and the 20 ms line tick never
// touches them. What is a state rather than a count (ports, the queue) is read
// from the model at scrape time instead.
#pragma once

#include <array>
#include <cstdint>

#include "core/call_outcome.hpp"
#include "tools/faxd/prometheus_text.hpp"

namespace faxemu::faxd {

class MetricsRegistry {
  public:
    // A call (outbound: a job's attempt; inbound: a reception) ended with
    // `outcome` after `pages` pages went through.
    void call_ended(bool outbound, const CallOutcome& outcome, int pages);

    // The counters' families, every series present from the start (at 0).
    void write(PrometheusText& out) const;

    std::int64_t calls(bool outbound, bool completed) const { return calls_[outbound][completed]; }
    std::int64_t pages(bool outbound) const { return pages_[outbound]; }

  private:
    static constexpr std::size_t kClasses = static_cast<std::size_t>(FailureClass::Aborted) + 1;
    // [outbound][completed], [outbound][failure class], [outbound]
    std::array<std::array<std::int64_t, 2>, 2> calls_{};
    std::array<std::array<std::int64_t, kClasses>, 2> failures_{};
    std::array<std::int64_t, 2> pages_{};
};

}  // namespace faxemu::faxd
