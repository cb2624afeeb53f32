// tools/run density: how many simultaneous real-time calls one faxd carries
// (issue 17). For each N, a faxd process of its own on 2N simulated ports
// ([line] speed 1) sends N one-page faxes from N ports to the other N, twice:
// staggered (each job released at a random instant of a window, as traffic
// arrives) and all at once (a paused queue of N jobs released: the dispatch
// time). Beside it, the floor: N bare spandsp pairs back to back on as many
// threads as faxd has line threads. Each N ends with one line scripts read:
//   density N=2000: completed 2000, failed 0, late>20ms 0, cpu/floor 1.15, rss/call 390 KB,
//   dispatch 150 ms
// completed and failed count the calls of both runs (2N); late>20ms is
// server.load's count over both; cpu/floor is faxd's CPU per call (both runs)
// over the floor's per pair, the same fax; rss/call is faxd's largest RSS
// during a run over N. Asserts nothing: it measures.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "tests/support/process.hpp"
#include "tools/bench/bench_support.hpp"

namespace fs = std::filesystem;
using namespace faxemu;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The floor for `n` calls: n bare spandsp pairs stepped block by block, spread
// over `threads` threads. CPU seconds per pair; pairs that did not deliver
// every page in `failed`.
double floor_cpu_per_call(const bench::SendBench& b, int n, int threads, int& failed) {
    const fs::path rx = b.work / "floor-rx";
    fs::create_directories(rx);
    std::vector<std::unique_ptr<bench::FloorPair>> pairs;
    for (int i = 0; i < n; ++i)
        pairs.push_back(
            std::make_unique<bench::FloorPair>(b.fax, rx / (std::to_string(i) + ".tif"), b.ecm));
    const double t0 = bench::cpu_now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (bool busy = true; busy;) {
                busy = false;
                for (std::size_t i = static_cast<std::size_t>(t); i < pairs.size();
                     i += static_cast<std::size_t>(threads))
                    if (!pairs[i]->done()) {
                        pairs[i]->step();
                        busy = true;
                    }
            }
        });
    for (auto& w : workers) w.join();
    const double cpu = bench::cpu_now() - t0;
    failed = 0;
    double line = 0;
    for (const auto& p : pairs) {
        if (p->pages_received() != b.pages) ++failed;
        line += p->line_seconds();
    }
    fmt::print(
        "  floor: {} pairs on {} thread(s): {:.2f} s CPU, {:.4f} s CPU per call ({:.1f} s "
        "of line each), {} failed\n",
        n, threads, cpu, cpu / n, line / n, failed);
    pairs.clear();
    fs::remove_all(rx);
    return cpu / n;
}

// faxd's CPU seconds and resident set (KB) from /proc.
struct ProcessFigures {
    double cpu = 0;
    long rss_kb = 0;
};

ProcessFigures read_proc(pid_t pid) {
    ProcessFigures f;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    // Fields after the command (which may hold spaces) in parentheses: utime is the 14th field.
    std::istringstream rest(text.substr(text.rfind(')') + 2));
    std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
    if (fields.size() > 12) {
        const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
        f.cpu = (std::stod(fields[11]) + std::stod(fields[12])) / tick;
    }
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) f.rss_kb = std::stol(line.substr(6));
    return f;
}

// A faxd process on 2n simulated ports: senders 6000001.. and receivers 7000001...
class FaxdUnderTest {
  public:
    FaxdUnderTest(const fs::path& dir, int n, bool ecm) : dir_(dir) {
        fs::create_directories(dir_);
        std::ofstream cfg(dir_ / "faxd.toml");
        cfg << std::boolalpha;
        cfg << "[server]\nspool = \"" << (dir_ / "spool").string() << "\"\n"
            << "log_level = \"info\"\nretries = 0\n"
            << "[retry]\nbusy_retries = 0\nno_answer_retries = 0\nno_carrier_retries = 0\n"
            << "[control]\nlisten = \"\"\n[line]\nspeed = 1\n";
        for (int i = 1; i <= n; ++i)
            for (const bool sender : {true, false})
                cfg << "[[port]]\nname = \"" << (sender ? "s" : "r") << i << "\"\nnumber = \""
                    << number(sender, i) << "\"\nrings = 1\nsend = " << sender
                    << "\nreceive = " << !sender << "\necm = " << ecm << "\n";
        cfg.close();
        process_ = std::make_unique<test::Process>(
            std::vector<std::string>{FAXD_PATH, "--config", (dir_ / "faxd.toml").string()},
            dir_ / "faxd.log");
    }
    ~FaxdUnderTest() {
        process_->signal(SIGTERM);
        process_->wait();
    }
    static std::string number(bool sender, int i) {
        return std::to_string((sender ? 6000000 : 7000000) + i);
    }
    // The local admin over the Unix socket, once faxd listens (it may take a
    // while to make thousands of ports).
    std::unique_ptr<rpc::FaxClient> connect() {
        const auto deadline = Clock::now() + std::chrono::minutes(5);
        for (;;) {
            auto c = std::make_unique<rpc::FaxClient>();
            try {
                c->connect("unix:" + (dir_ / "spool" / "faxd.sock").string());
                return c;
            } catch (const std::exception&) {
                if (Clock::now() > deadline || process_->exited())
                    throw std::runtime_error("faxd did not come up; its log: " +
                                             (dir_ / "faxd.log").string());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // faxd starting
        }
    }
    pid_t pid() const { return process_->pid(); }
    const fs::path& dir() const { return dir_; }

  private:
    fs::path dir_;
    std::unique_ptr<test::Process> process_;
};

// The states of one run's jobs, from job.changed notifications (or from
// jobs.list when faxd dropped the client and it connected again).
class JobStates {
  public:
    void set(std::int64_t id, const std::string& state) {
        std::lock_guard lock(m_);
        latest_[id] = state;  // a notification may come before job.submit's answer is read
        auto it = states_.find(id);
        if (it == states_.end()) return;
        it->second = state;
        if (!all_dispatched_ && counts_locked().queued == 0 && release_ != Clock::time_point{})
            all_dispatched_ = Clock::now();
    }
    void track(std::int64_t id, const std::string& state) {
        std::lock_guard lock(m_);
        const auto seen = latest_.find(id);
        states_[id] = seen != latest_.end() ? seen->second : state;
    }
    // For the next run.
    void clear() {
        std::lock_guard lock(m_);
        states_.clear();
        latest_.clear();
        release_ = {};
        all_dispatched_.reset();
    }
    void released() {
        std::lock_guard lock(m_);
        release_ = Clock::now();
    }
    struct Counts {
        int converting = 0, queued = 0, paused = 0, in_progress = 0, completed = 0, failed = 0;
        int ended() const { return completed + failed; }
    };
    Counts counts() const {
        std::lock_guard lock(m_);
        return counts_locked();
    }
    // From the release to the moment no job was left queued; none yet.
    std::optional<double> dispatch_ms() const {
        std::lock_guard lock(m_);
        if (!all_dispatched_) return std::nullopt;
        return std::chrono::duration<double, std::milli>(*all_dispatched_ - release_).count();
    }
    std::vector<std::int64_t> ids() const {
        std::lock_guard lock(m_);
        std::vector<std::int64_t> out;
        for (const auto& [id, s] : states_) out.push_back(id);
        return out;
    }

  private:
    Counts counts_locked() const {
        Counts c;
        for (const auto& [id, s] : states_) {
            if (s == "converting")
                ++c.converting;
            else if (s == "queued" || s == "retrying")
                ++c.queued;
            else if (s == "paused")
                ++c.paused;
            else if (s == "in_progress")
                ++c.in_progress;
            else if (s == "completed")
                ++c.completed;
            else
                ++c.failed;  // failed, retries_exceeded, cancelled
        }
        return c;
    }
    mutable std::mutex m_;
    std::map<std::int64_t, std::string> states_;  // this run's jobs
    std::map<std::int64_t, std::string> latest_;  // every job's last state seen
    Clock::time_point release_{};
    std::optional<Clock::time_point> all_dispatched_;
};

// What one run measured.
struct RunFigures {
    int completed = 0, failed = 0;
    std::int64_t late_20ms = 0, ticks = 0;
    double cpu = 0;
    long rss_peak_kb = 0;
    std::optional<double> dispatch_ms;
};

class Run {
  public:
    Run(FaxdUnderTest& faxd, int n, const std::string& document_b64)
        : faxd_(faxd), n_(n), document_(document_b64) {}

    RunFigures staggered(double window_s) {
        prepare(true);
        const Window w = begin();
        std::mt19937 rng(static_cast<unsigned>(n_));
        std::vector<double> offsets;
        std::uniform_real_distribution<double> at(0, window_s);
        for (int i = 0; i < n_; ++i) offsets.push_back(at(rng));
        std::sort(offsets.begin(), offsets.end());
        const auto ids = states_.ids();
        const auto start = Clock::now();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            // Releasing each job at its instant: the benchmark's traffic pattern.
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(offsets[i])));
            call("job.command", {{"job_id", ids[i]}, {"command", "resume"}});
            sample("staggered", start, false);
        }
        return finish(w, "staggered");
    }

    RunFigures at_once() {
        prepare(false);
        const Window w = begin();
        return finish(w, "at once");
    }

  private:
    struct Window {
        Clock::time_point start;
        json load;
        double cpu;
    };

    json call(const std::string& method, const json& params = json::object()) {
        for (int attempt = 0;; ++attempt) {
            try {
                if (!client_ || !client_->connected()) reconnect();
                return client_->call(method, params, std::chrono::minutes(2));
            } catch (const rpc::RpcError& e) {
                if (attempt >= 3 || (client_ && client_->connected())) throw;
                fmt::print("  faxd closed the client ({}); connecting again\n", e.what());
            }
        }
    }
    void reconnect() {
        client_ = faxd_.connect();
        client_->set_notification_handler([this](const std::string& method, const json& p) {
            if (method == "job.changed")
                states_.set(p["job"]["job_id"].get<std::int64_t>(), p["job"]["state"]);
        });
        if (states_.ids().empty()) return;
        for (const json& j : client_->call("jobs.list", {{"all", true}}, std::chrono::minutes(2)))
            states_.set(j["job_id"].get<std::int64_t>(), j["state"]);
    }

    // N jobs submitted and converted with the queue paused; each paused too
    // when they are to be released one by one.
    void prepare(bool pause_each) {
        call("server.set", {{"pause_server_queue", true}});
        const auto t0 = Clock::now();
        for (int i = 1; i <= n_; ++i) {
            const json j = call("job.submit", {{"number", FaxdUnderTest::number(false, i)},
                                               {"document", document_}});
            states_.track(j["job_id"].get<std::int64_t>(), j["state"]);
        }
        wait_until([&](const JobStates::Counts& c) { return c.converting == 0; }, "converting", t0,
                   std::chrono::minutes(10));
        if (pause_each)
            for (const std::int64_t id : states_.ids())
                call("job.command", {{"job_id", id}, {"command", "pause"}});
        fmt::print("  {} jobs queued in {:.1f} s\n", n_, seconds_since(t0));
    }

    Window begin() {
        Window w{Clock::now(), call("server.load")["line_threads"][0], 0};
        w.cpu = read_proc(faxd_.pid()).cpu;
        rss_peak_ = 0;
        states_.released();
        call("server.set", {{"pause_server_queue", false}});
        return w;
    }

    RunFigures finish(const Window& w, const char* name) {
        wait_until([&](const JobStates::Counts& c) { return c.ended() == n_; }, name, w.start,
                   std::chrono::minutes(15));
        RunFigures f;
        f.cpu = read_proc(faxd_.pid()).cpu - w.cpu;
        const json load = call("server.load")["line_threads"][0];
        f.ticks = load["ticks"].get<std::int64_t>() - w.load["ticks"].get<std::int64_t>();
        f.late_20ms =
            load["late_20ms"].get<std::int64_t>() - w.load["late_20ms"].get<std::int64_t>();
        const JobStates::Counts c = states_.counts();
        f.completed = c.completed;
        f.failed = n_ - c.completed;  // failed, or not ended within the deadline
        f.rss_peak_kb = rss_peak_;
        f.dispatch_ms = states_.dispatch_ms();
        fmt::print(
            "  {}: {} completed, {} failed, {} ticks, {} late>5ms, {} late>20ms (worst "
            "since start {} ms), faxd {:.1f} s CPU, peak RSS {} MB, {:.0f} s\n",
            name, f.completed, f.failed, f.ticks,
            load["late_5ms"].get<std::int64_t>() - w.load["late_5ms"].get<std::int64_t>(),
            f.late_20ms, load["worst_ms"].dump(), f.cpu, f.rss_peak_kb / 1024,
            seconds_since(w.start));
        states_.clear();
        return f;
    }

    template <typename Done>
    void wait_until(Done done, const char* what, Clock::time_point t0,
                    std::chrono::minutes deadline) {
        while (!done(states_.counts()) && Clock::now() < t0 + deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling /proc
            sample(what, t0, true);
        }
    }

    // Keeps faxd's peak RSS; prints progress every 5 s.
    void sample(const char* what, Clock::time_point t0, bool check_client) {
        const ProcessFigures p = read_proc(faxd_.pid());
        rss_peak_ = std::max(rss_peak_, p.rss_kb);
        if (Clock::now() < next_progress_) return;
        next_progress_ = Clock::now() + std::chrono::seconds(5);
        if (check_client && !client_->connected()) call("server.load");  // reconnects, re-reads
        const JobStates::Counts c = states_.counts();
        fmt::print(
            "  [{:5.0f} s] {}: converting {}, queued {}, paused {}, in progress {}, "
            "completed {}, failed {}; faxd RSS {} MB\n",
            seconds_since(t0), what, c.converting, c.queued, c.paused, c.in_progress, c.completed,
            c.failed, p.rss_kb / 1024);
        std::fflush(stdout);
    }

    FaxdUnderTest& faxd_;
    int n_;
    const std::string& document_;
    std::unique_ptr<rpc::FaxClient> client_;
    JobStates states_;
    long rss_peak_ = 0;
    Clock::time_point next_progress_{};
};

}  // namespace

int main(int argc, char** argv) {
    bench::SendBench b{
        "faxemu density benchmark: N simultaneous real-time calls in one faxd "
        "beside N bare spandsp pairs",
        "faxemu-density"};
    b.document = std::string(FAXEMU_SOURCE_DIR) + "/fixtures/documents/short-std-mmr.tif";
    std::vector<int> ns{100, 500, 1000, 2000, 4000};
    double window = 30;
    bool keep = false;
    b.app.add_option("-N,--calls", ns, "the numbers of simultaneous calls, e.g. -N 100 500")
        ->check(CLI::Range(1, 16000));
    b.app.add_option("--stagger", window, "seconds over which the staggered run's jobs start")
        ->check(CLI::Range(0.0, 3600.0));
    b.app.add_flag("--keep", keep, "keep the work folder (each faxd's config, spool and log)");
    if (const auto exit = b.start(argc, argv)) return *exit;
    std::ifstream in(b.fax, std::ios::binary);
    const std::string document =
        rpc::base64_encode(std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {}));

    int status = 0;
    for (const int n : ns) {
        fmt::print("N={}: faxd on {} simulated ports at real time\n", n, 2 * n);
        std::fflush(stdout);
        try {
            FaxdUnderTest faxd(b.work / ("faxd-" + std::to_string(n)), n, b.ecm);
            const int threads =
                static_cast<int>(faxd.connect()->call("server.load")["line_threads"].size());
            const long idle_rss = read_proc(faxd.pid()).rss_kb;
            fmt::print("  faxd: {} line thread(s), idle RSS {} MB\n", threads, idle_rss / 1024);
            int floor_failed = 0;
            const double floor = floor_cpu_per_call(b, n, threads, floor_failed);
            Run run(faxd, n, document);
            const RunFigures s = run.staggered(window);
            const RunFigures a = run.at_once();
            const double cpu_ratio = (s.cpu + a.cpu) / (2.0 * n) / floor;
            fmt::print(
                "density N={}: completed {}, failed {}, late>20ms {}, cpu/floor {:.2f}, "
                "rss/call {} KB, dispatch {}\n",
                n, s.completed + a.completed, s.failed + a.failed, s.late_20ms + a.late_20ms,
                cpu_ratio, std::max(s.rss_peak_kb, a.rss_peak_kb) / n,
                a.dispatch_ms ? fmt::format("{:.0f} ms", *a.dispatch_ms) : "none");
        } catch (const std::exception& e) {
            fmt::print("density N={}: error: {}\n", n, e.what());
            status = 1;
        }
        std::fflush(stdout);
    }
    if (keep)
        fmt::print("kept: {}\n", b.work.string());
    else
        fs::remove_all(b.work);
    return status;
}
