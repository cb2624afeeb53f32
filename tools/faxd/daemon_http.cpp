// faxd's metrics and health endpoints ([metrics] listen): Prometheus' text
// format on GET /metrics, a health check on GET /health.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>
#include <string_view>
#include <vector>

#include "core/fax_codes.hpp"
#include "core/job.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/prometheus_text.hpp"

namespace faxemu::faxd {

namespace {

// A scrape or health check waits this long for faxd's loop, then says it is stuck.
constexpr auto kLoopDeadline = std::chrono::seconds(2);

// Every state a port can be in, each a series of faxd_port_state.
constexpr Fps kPortStates[] = {
    Fps::Dialing,      Fps::Sending,    Fps::Receiving,  Fps::Completed,   Fps::Handled,
    Fps::Unavailable,  Fps::Busy,       Fps::NoAnswer,   Fps::BadAddress,  Fps::NoDialTone,
    Fps::Disconnected, Fps::FatalError, Fps::NotFaxCall, Fps::CallDelayed, Fps::CallBlacklisted,
    Fps::Initializing, Fps::Offline,    Fps::Ringing,    Fps::Available,   Fps::Aborting,
    Fps::Routing,      Fps::Answered,
};

// The states of jobs still in the queue (the others are history).
constexpr JobState kQueueStates[] = {JobState::Converting, JobState::Queued, JobState::InProgress,
                                     JobState::Retrying, JobState::Paused};

HttpResponse text(int status, std::string body) {
    return {status, "text/plain; charset=utf-8", std::move(body), {}};
}

}  // namespace

void Daemon::start_http() {
    start_time_seconds_ =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (config_.metrics_listen.empty()) return;
    const auto [host, port] = split_listen_address("metrics.listen", config_.metrics_listen);
    http_ = std::make_unique<HttpListener>();
    http_->route("/metrics", {"GET"}, [this](const HttpRequest&, HttpResponder respond) {
        answer_on_loop(std::move(respond), [this] {
            return HttpResponse{200, kPrometheusContentType, metrics_text(), {}};
        });
    });
    http_->route("/health", {"GET"}, [this](const HttpRequest&, HttpResponder respond) {
        answer_on_loop(std::move(respond), [this] {
            const std::string problem = health_problem();
            return problem.empty() ? text(200, "ok\n") : text(503, problem + "\n");
        });
    });
    http_->start(host, port);
    spdlog::info("faxd: metrics and health on http://{}:{}/", host, http_->port());
}

void Daemon::stop_http() {
    if (http_) http_->stop();
}

std::uint16_t Daemon::metrics_port() const {
    return http_ ? http_->port() : 0;
}

void Daemon::answer_on_loop(HttpResponder respond, std::function<HttpResponse()> answer) {
    // The responder answers once: whichever of the loop and the deadline comes first.
    http_->after(kLoopDeadline, [respond] {
        respond(text(503, "faxd's event loop did not answer within 2 s\n"));
    });
    asio::post(io_, [respond, answer = std::move(answer)] { respond(answer()); });
}

std::string Daemon::health_problem() {
    if (stopping_) return "faxd is stopping";
    if (std::string problem = store_.write_problem(); !problem.empty())
        return "the store cannot be written: " + problem;
    if (::access((spool_ / "tmp").c_str(), W_OK) != 0)
        return "the spool cannot be written: " + (spool_ / "tmp").string();
    return "";
}

namespace {

// The line threads' ticks and CPU (server.load's figures), by thread.
void write_line_load(PrometheusText& out, const std::vector<LinePump::ThreadLoad>& threads) {
    const auto each = [&](std::string_view name, auto value) {
        for (std::size_t i = 0; i < threads.size(); ++i)
            out.sample(name, {{"thread", std::to_string(i)}}, value(threads[i]));
    };
    using Load = LinePump::ThreadLoad;
    out.family("faxd_line_ticks_total", "counter",
               "20 ms blocks a line thread paced to wall time.");
    each("faxd_line_ticks_total", [](const Load& t) { return t.ticks.ticks; });
    out.family("faxd_line_ticks_late_total", "counter",
               "Paced blocks started late, by more than 5 ms and by more than 20 ms.");
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const std::string thread = std::to_string(i);
        out.sample("faxd_line_ticks_late_total", {{"thread", thread}, {"over", "5ms"}},
                   threads[i].ticks.late_5ms);
        out.sample("faxd_line_ticks_late_total", {{"thread", thread}, {"over", "20ms"}},
                   threads[i].ticks.late_20ms);
    }
    out.family("faxd_line_tick_worst_lateness_seconds", "gauge",
               "The latest a paced block started since faxd did.");
    each("faxd_line_tick_worst_lateness_seconds",
         [](const Load& t) { return static_cast<double>(t.ticks.worst.count()) * 1e-6; });
    out.family("faxd_line_thread_cpu_seconds_total", "counter", "CPU time of a line thread.");
    each("faxd_line_thread_cpu_seconds_total", [](const Load& t) { return t.cpu_seconds; });
}

}  // namespace

std::string Daemon::metrics_text() {
    PrometheusText out;
    out.family("faxd_build_info", "gauge", "faxd's version; always 1.");
    out.sample("faxd_build_info", {{"version", FAXEMU_VERSION}}, std::int64_t{1});
    out.family("process_start_time_seconds", "gauge",
               "When faxd started, in seconds since the Unix epoch.");
    out.sample("process_start_time_seconds", {}, start_time_seconds_);

    out.family("faxd_port_state", "gauge",
               "1 for the state each port is in (faxcom's device status), 0 for the others.");
    for (const Port* p : server_.ports()) {
        const Fps now = p->GetStatus(clock_).device_status;
        for (const Fps state : kPortStates)
            out.sample("faxd_port_state",
                       {{"port", p->Name()}, {"state", metric_label_value(to_string(state))}},
                       std::int64_t{now == state});
    }

    std::map<JobState, std::int64_t> queue;
    for (const Job& job : scheduler_.jobs(false)) ++queue[job.state];
    out.family("faxd_queue_jobs", "gauge", "Jobs in the queue, by state.");
    for (const JobState state : kQueueStates)
        out.sample("faxd_queue_jobs", {{"state", metric_label_value(to_string(state))}},
                   queue[state]);

    metrics_.write(out);
    write_line_load(out, pumps_.load());
    return out.text();
}

}  // namespace faxemu::faxd
