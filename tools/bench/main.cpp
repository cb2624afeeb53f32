// tools/run bench: the CPU cost of a simulated call through faxemu's stack
// (queue, port controller, simulated device, exchange) beside the same call
// on bare spandsp back to back, the floor. Prints figures; asserts nothing.
#include <fmt/format.h>
#include <spandsp.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "core/documents/document.hpp"
#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "devices/simulated_site.hpp"
#include "tools/bench/bench_support.hpp"
#include "tools/faxd/daemon.hpp"

namespace fs = std::filesystem;
using namespace faxemu;
using bench::cpu_now;
using bench::median;
using bench::percentile;

namespace {

struct Run {
    double cpu = 0;   // seconds
    double line = 0;  // seconds of line time
    int pages = 0;
};

// The floor (bench_support.hpp), one pair on its own.
Run bare_spandsp(const fs::path& doc, const fs::path& rx, bool ecm) {
    bench::FloorPair pair(doc, rx, ecm);
    const double t0 = cpu_now();
    while (!pair.done()) pair.step();
    Run r;
    r.cpu = cpu_now() - t0;
    r.line = pair.line_seconds();
    r.pages = pair.pages_received();
    return r;
}

// The same document through faxemu: queue -> port controller -> simulated device
// -> exchange -> simulated device -> port controller, with status kept live.
Run faxemu_stack(const fs::path& doc, int pages, const fs::path& spool, bool ecm) {
    fs::remove_all(spool);
    fs::create_directories(spool);
    SimulatedSite site(spool);
    for (int i = 0; i < 2; ++i)
        site.bank.controller(site.port(i).DeviceId()).session_options().ecm = ecm;
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req;
    req.number = SimulatedSite::number(1);
    req.document = doc;
    req.page_count = pages;
    const TimePoint start = site.clock.now();
    const double t0 = cpu_now();
    site.queue.send(req);
    site.run_until_idle();
    Run r;
    r.cpu = cpu_now() - t0;
    r.line = std::chrono::duration<double>(site.clock.now() - start).count();
    for (const CallRecord& c : site.calls())
        if (!c.outbound && c.outcome.ok()) r.pages = c.pages;
    return r;
}

// A faxd in this process on its two simulated ports, spoken to over its Unix socket.
struct InProcessFaxd {
    explicit InProcessFaxd(const fs::path& spool) {
        faxd::Config config = faxd::default_config();
        config.spool = spool;
        config.listen = "";
        config.ports[1].send = false;
        daemon = std::make_unique<faxd::Daemon>(config);
        thread = std::thread([this] { daemon->run(); });
    }
    ~InProcessFaxd() {
        daemon->stop();
        thread.join();
    }
    std::unique_ptr<rpc::FaxClient> client() {
        auto c = std::make_unique<rpc::FaxClient>();
        c->connect("unix:" + daemon->socket_path().string());
        return c;
    }
    std::unique_ptr<faxd::Daemon> daemon;
    std::thread thread;
};

// CPU seconds of this whole process (faxd's threads and the client) for one queued
// fax: submitted through the protocol, sent, received, stored. The client waits
// for faxd's job.changed notification, so waiting costs no CPU.
double faxd_fax_cpu(rpc::FaxClient& client, const std::string& document_b64) {
    std::mutex m;
    std::condition_variable cv;
    std::string state;
    std::int64_t id = -1;
    client.set_notification_handler([&](const std::string& method, const nlohmann::json& params) {
        if (method != "job.changed") return;
        std::lock_guard lock(m);
        if (params["job"]["job_id"] == id) state = params["job"]["state"];
        cv.notify_all();
    });
    const double t0 = cpu_now();
    const auto submitted =
        client.call("job.submit", {{"number", "5551002"}, {"document", document_b64}});
    {
        std::unique_lock lock(m);
        id = submitted["job_id"];
        cv.wait_for(lock, std::chrono::minutes(5), [&] {
            return state == "completed" || state == "failed" || state == "retries_exceeded";
        });
    }
    const double cpu = cpu_now() - t0;
    client.set_notification_handler({});
    const auto job = client.call("job.get", {{"job_id", submitted["job_id"]}});
    if (job["state"] != "completed")
        throw std::runtime_error("bench job did not complete: " + job.dump());
    return cpu;
}

// port.status requests per second with `clients` connections open, `threads` of them busy.
void status_rps(InProcessFaxd& faxd, int clients, int threads, std::chrono::seconds duration) {
    std::vector<std::unique_ptr<rpc::FaxClient>> conns;
    for (int i = 0; i < clients; ++i) conns.push_back(faxd.client());
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto& mine = latencies[static_cast<std::size_t>(t)];
            for (std::size_t i = static_cast<std::size_t>(t); !stop;
                 i += static_cast<std::size_t>(threads)) {
                auto& c = *conns[i % conns.size()];
                const auto t0 = std::chrono::steady_clock::now();
                c.call("port.status", {{"device_id", 1}});
                mine.push_back(
                    std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                        .count());
            }
        });
    }
    std::this_thread::sleep_for(duration);  // a benchmark's measuring window, not a test wait
    stop = true;
    for (auto& w : workers) w.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
    fmt::print(
        "port.status through the protocol: {} clients connected, {} busy: {:.0f} requests/s, "
        "latency median {:.0f} us, p99 {:.0f} us\n",
        clients, threads, static_cast<double>(all.size()) / secs, median(all),
        percentile(all, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
    bench::SendBench b{"faxemu benchmark: a simulated call through faxemu beside bare spandsp",
                       "faxemu-bench"};
    int repeats = 5;
    b.add_count("-n,--repeats", repeats, "runs of each, the median is reported", 1, 100);
    if (const auto exit = b.start(argc, argv)) return *exit;
    const std::string& document = b.document;

    fmt::print("{} runs each, median\n", repeats);
    std::vector<double> floor_cpu, stack_cpu;
    Run floor_run, stack_run;
    // Interleaved, so a slow patch of the machine hits both alike.
    for (int i = 0; i < repeats; ++i) {
        floor_run = bare_spandsp(b.fax, b.work / "floor-rx.tif", b.ecm);
        stack_run = faxemu_stack(b.fax, b.pages, b.work / "spool", b.ecm);
        floor_cpu.push_back(floor_run.cpu);
        stack_cpu.push_back(stack_run.cpu);
        fmt::print("  run {}: floor {:.3f} s cpu, faxemu {:.3f} s cpu\n", i + 1, floor_run.cpu,
                   stack_run.cpu);
    }
    fs::remove_all(b.work);
    if (floor_run.pages != b.pages || stack_run.pages != b.pages) {
        fmt::print(stderr, "error: a call did not deliver every page (floor {}, faxemu {})\n",
                   floor_run.pages, stack_run.pages);
        return 1;
    }
    const double f = median(floor_cpu), s = median(stack_cpu);
    fmt::print(
        "bare spandsp back to back: {:.3f} s cpu, {:.1f} s line, {:.4f} cpu s/page, {:.0f}x real "
        "time\n",
        f, floor_run.line, f / b.pages, floor_run.line / f);
    fmt::print(
        "faxemu simulated call:     {:.3f} s cpu, {:.1f} s line, {:.4f} cpu s/page, {:.0f}x real "
        "time\n",
        s, stack_run.line, s / b.pages, stack_run.line / s);
    fmt::print("ratio faxemu / floor (cpu): {:.3f}\n", s / f);

    // faxd end to end: the same document queued through the control protocol.
    const fs::path faxd_work = bench::make_work_folder("faxemu-bench-faxd");
    if (faxd_work.empty()) return 2;
    {
        {
            Document again = Document::open(document);
            again.write_fax_tiff(faxd_work / "doc.tif");
        }
        std::ifstream in2(faxd_work / "doc.tif", std::ios::binary);
        const std::vector<std::uint8_t> doc_bytes(std::istreambuf_iterator<char>(in2), {});
        const std::string b64 = rpc::base64_encode(doc_bytes);
        InProcessFaxd faxd(faxd_work / "spool");
        auto client = faxd.client();
        std::vector<double> faxd_cpu;
        for (int i = 0; i < repeats; ++i) faxd_cpu.push_back(faxd_fax_cpu(*client, b64));
        const double q = median(faxd_cpu);
        fmt::print(
            "faxd queued fax end to end: {:.3f} s cpu, {:.4f} cpu s/page, ratio to floor {:.3f}\n",
            q, q / b.pages, q / f);
        status_rps(faxd, 100, 4, std::chrono::seconds(2));
        client.reset();
    }
    fs::remove_all(faxd_work);
    return 0;
}
