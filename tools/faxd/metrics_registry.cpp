#include "tools/faxd/metrics_registry.hpp"

namespace faxemu::faxd {

namespace {

const char* direction(bool outbound) {
    return outbound ? "out" : "in";
}

}  // namespace

void MetricsRegistry::call_ended(bool outbound, const CallOutcome& outcome, int pages) {
    ++calls_[outbound][outcome.ok()];
    if (!outcome.ok()) ++failures_[outbound][static_cast<std::size_t>(outcome.failure)];
    if (pages > 0) pages_[outbound] += pages;
}

void MetricsRegistry::write(PrometheusText& out) const {
    out.family("faxd_calls_total", "counter",
               "Calls ended, by direction (in: received, out: sent) and result.");
    for (const bool outbound : {false, true})
        for (const bool completed : {true, false})
            out.sample("faxd_calls_total",
                       {{"direction", direction(outbound)},
                        {"result", completed ? "completed" : "failed"}},
                       calls_[outbound][completed]);
    out.family("faxd_call_failures_total", "counter",
               "Calls that failed, by direction and failure class (the class retries go by).");
    for (const bool outbound : {false, true})
        for (std::size_t c = 1; c < kClasses; ++c)  // 0 is FailureClass::None
            out.sample("faxd_call_failures_total",
                       {{"direction", direction(outbound)},
                        {"class", metric_label_value(to_string(static_cast<FailureClass>(c)))}},
                       failures_[outbound][c]);
    out.family("faxd_pages_total", "counter",
               "Pages that went through (confirmed by the receiver), by direction.");
    for (const bool outbound : {false, true})
        out.sample("faxd_pages_total", {{"direction", direction(outbound)}}, pages_[outbound]);
}

}  // namespace faxemu::faxd
