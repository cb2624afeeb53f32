// tools/run bench: how long the scheduler takes to dispatch a released queue
// (issue 17: 2,000 jobs within 200 ms). N jobs wait on a paused queue with N
// free ports (so every job can go at once and the figure is the scheduler's
// own cost, not a wait for a line); the queue is released and every job is
// picked and its attempt started and persisted, until none is left: as faxd's
// dispatcher does (one round: Scheduler::start_due, one store transaction),
// and job by job (next() then attempt_started(), a transaction each, as faxd
// did before). Prints the time beside its floor; asserts nothing.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include "core/caller_rights.hpp"
#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/free_ports.hpp"
#include "core/scheduler.hpp"
#include "core/sqlite_store.hpp"
#include "tools/bench/bench_support.hpp"

namespace fs = std::filesystem;
using namespace faxemu;

namespace {

// The floor: 2,000 jobs in 200 ms, i.e. 0.1 ms a job.
constexpr double kFloorMsPerJob = 0.1;

void set_paused(FaxServer& server, bool paused) {
    auto s = server.settings();
    s.pause_server_queue = paused;
    server.set_settings(CallerRights::admin(), s);
}

// Returns the milliseconds from the release until every job was started; -1 if
// not every job was dispatched.
double run(int n, bool round, const fs::path& work) {
    FaxServer server;
    for (int i = 0; i < n; ++i)
        server.add_port("modem" + std::to_string(i + 1), std::to_string(100000 + i));
    SqliteStore store(work / ("queue-" + std::to_string(n) + (round ? "-round" : "") + ".db"));
    SystemClock clock;
    Scheduler scheduler(server, store, clock);
    set_paused(server, true);
    for (int i = 0; i < n; ++i) {
        Job job;
        job.user_name = "bench";
        job.fax_number = std::to_string(5550000 + i);  // one call per number at once
        job.document = "/spool/doc.tif";
        job.display_name = "bench";
        job.page_count = 1;
        job.priority = i % 3;  // the order has something to sort
        scheduler.submit(job);
    }
    std::set<std::int32_t> busy;
    const auto port_free = [&](std::int32_t id) { return !busy.count(id); };
    const auto start = std::chrono::steady_clock::now();
    set_paused(server, false);
    int started = 0;
    if (round) {
        FreePorts free(server, port_free);
        started = static_cast<int>(scheduler.start_due(free).size());
    } else {
        while (auto d = scheduler.next(port_free)) {
            scheduler.attempt_started(d->job.id, d->device_id);
            busy.insert(d->device_id);
            ++started;
        }
    }
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return started == n ? ms : -1;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    // --per-job: also job by job, as faxd dispatched before (slow: a sync per write).
    const bool per_job = argc > 1 && std::string(argv[1]) == "--per-job";
    const fs::path work = bench::make_work_folder("faxemu-dispatch-bench");
    if (work.empty()) return 2;
    int status = 0;
    for (bool round : {true, false}) {
        if (!round && !per_job) continue;
        for (int n : {100, 500, 1000, 2000}) {
            const double ms = run(n, round, work);
            if (ms < 0) {
                fmt::print("dispatch N={}: not every job was dispatched\n", n);
                status = 1;
                continue;
            }
            fmt::print("dispatch N={}{}: {} jobs on {} free ports in {:.0f} ms (floor {:.0f} ms)\n",
                       n, round ? "" : " job by job", n, n, ms, kFloorMsPerJob * n);
        }
    }
    std::error_code ignored;
    fs::remove_all(work, ignored);
    return status;
}
