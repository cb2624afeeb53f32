#include "tools/chaos/trial.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/fax_codes.hpp"
#include "core/protocol/base64.hpp"
#include "core/protocol/client.hpp"
#include "tests/support/process.hpp"
#include "tools/chaos/marked_pages.hpp"
#include "tools/chaos/spool_checks.hpp"

namespace faxemu::chaos {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kFolderGuid = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}";
constexpr int kRoutingMaxTries = 5;
constexpr int kSenders = 2;
constexpr int kReceivers = 6;  // one per job of a trial: no job finds its number busy

// Two ports that only send, six that only receive (each routing into the same
// folder): two calls can run at once, and every call is one of ours. Each job
// of a trial has a number of its own, so that two jobs never dial the same
// line at once (busy lines and their retries are another test's subject).
std::string config_text(const fs::path& dir, double speed) {
    std::string t;
    t += "[server]\nspool = \"" + (dir / "spool").string() + "\"\n";
    t += "retries = 3\nretry_delay = 0\nuse_device_tsid = false\n";
    t += "[control]\nlisten = \"\"\n";
    t += "[line]\nspeed = " + std::to_string(speed) + "\n";
    t += "[routing]\nretry_delay = 1\nmax_tries = " + std::to_string(kRoutingMaxTries) + "\n";
    for (int i = 1; i <= kSenders + kReceivers; ++i) {
        const bool sender = i <= kSenders;
        const std::string number = "555100" + std::to_string(i);
        t += "[[port]]\nname = \"" + std::string(sender ? "Sender " : "Receiver ") +
             std::to_string(i) + "\"\nnumber = \"" + number + "\"\n";
        t += "rings = 1\ncsid = \"+1 555 100" + std::to_string(i) + "\"\ntsid = \"+1 555 100" +
             std::to_string(i) + "\"\n";
        t += std::string("send = ") + (sender ? "true" : "false") +
             "\nreceive = " + (sender ? "false" : "true") + "\n";
        if (!sender)
            t += "[[port.routing]]\nguid = \"" + std::string(kFolderGuid) +
                 "\"\nenabled = true\ndata = \"" + (dir / "inbox").string() + "\"\n";
    }
    return t;
}

struct JobView {
    std::int32_t pages_sent = 0;
    std::int32_t page_count = 0;
    std::string state;
};

// Decides, on the client's notification thread (or the folder watcher's, or
// the main thread's), that the instant has come, and kills faxd.
class Trigger {
  public:
    void arm(pid_t pid, Instant instant, int target_page, std::chrono::microseconds max_delay,
             std::uint64_t seed) {
        std::lock_guard lock(mutex_);
        pid_ = pid;
        instant_ = instant;
        target_page_ = target_page;
        max_delay_ = max_delay;
        rng_.seed(seed);
        armed_ = true;
        fired_ = false;
        what_.clear();
    }

    void on_notification(const std::string& method, const rpc::json& params) {
        std::lock_guard lock(mutex_);
        if (method == "received.changed") {
            const auto& fax = params.at("fax");
            if (fax.value("status", "") != "completed") return;
            // Routing's later reports on a fax already complete are not the instant.
            if (!completed_.insert(fax.value("id", std::int64_t{0})).second) return;
            if (instant_ == Instant::AfterReception)
                fire_locked("fax " + std::to_string(fax.value("id", 0)) + " reported complete",
                            true);
        } else if (method == "job.changed") {
            const auto& job = params.at("job");
            const std::int64_t id = job.value("job_id", std::int64_t{0});
            JobView& v = jobs_[id];
            const std::int32_t before = v.pages_sent;
            v.pages_sent = job.value("pages_sent", 0);
            v.page_count = job.value("page_count", 0);
            v.state = job.value("state", "");
            if (v.state != "in_progress" || v.pages_sent <= before) return;
            const std::string where = "job " + std::to_string(id) + " confirmed page " +
                                      std::to_string(v.pages_sent) + " of " +
                                      std::to_string(v.page_count);
            if (instant_ == Instant::BetweenPages && v.pages_sent < v.page_count)
                fire_locked(where, false);
            if (instant_ == Instant::AllPagesSent && v.pages_sent == v.page_count)
                fire_locked(where + ", job not yet done", false);
        } else if (method == "port.status") {
            const auto& s = params.at("status");
            const auto status = s.value("device_status", std::uint32_t{0});
            const std::string where = "port " + std::to_string(s.value("device_id", 0)) + " " +
                                      s.value("description", "");
            if (instant_ == Instant::Dialing && status == static_cast<std::uint32_t>(Fps::Dialing))
                fire_locked(where, true);
            if (instant_ == Instant::MidPage &&
                status == static_cast<std::uint32_t>(Fps::Sending) && s.value("bit_rate", 0) > 0 &&
                s.value("current_page", 0) == target_page_)
                fire_locked(where, true);
        }
    }

    // From the main thread or the folder watcher.
    void fire(const std::string& what, bool delayed) {
        std::lock_guard lock(mutex_);
        fire_locked(what, delayed);
    }
    bool instant_is(Instant i) {
        std::lock_guard lock(mutex_);
        return armed_ && instant_ == i;
    }

    // True when faxd was killed, false at the deadline.
    bool wait_fired(Clock::time_point until) {
        std::unique_lock lock(mutex_);
        return cv_.wait_until(lock, until, [&] { return fired_; });
    }
    bool fired() {
        std::lock_guard lock(mutex_);
        return fired_;
    }
    std::string what() {
        std::lock_guard lock(mutex_);
        return what_;
    }
    void disarm() {
        std::lock_guard lock(mutex_);
        armed_ = false;
    }
    std::set<std::int64_t> completed() {
        std::lock_guard lock(mutex_);
        return completed_;
    }

  private:
    void fire_locked(const std::string& what, bool delayed) {
        if (!armed_ || fired_) return;
        std::chrono::microseconds delay{0};
        if (delayed && max_delay_.count() > 0)
            delay = std::chrono::microseconds(
                std::uniform_int_distribution<std::int64_t>(0, max_delay_.count())(rng_));
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
        ::kill(pid_, SIGKILL);
        fired_ = true;
        armed_ = false;
        what_ = what + (delay.count() > 0
                            ? " +" + std::to_string(delay.count() / 1000.0).substr(0, 5) + " ms"
                            : "");
        cv_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    pid_t pid_ = -1;
    Instant instant_ = Instant::Random;
    int target_page_ = 1;
    std::chrono::microseconds max_delay_{0};
    std::mt19937_64 rng_;
    bool armed_ = false;
    bool fired_ = false;
    std::string what_;
    std::map<std::int64_t, JobView> jobs_;
    std::set<std::int64_t> completed_;
};

// Watches the routing folder for the folder method's temporary file: the
// instant a routing run is writing its copy.
class FolderWatch {
  public:
    FolderWatch(const fs::path& folder, Trigger& trigger) : trigger_(trigger) {
        fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd_ >= 0) ::inotify_add_watch(fd_, folder.c_str(), IN_CREATE);
        thread_ = std::thread([this] { loop(); });
    }
    ~FolderWatch() {
        stop_ = true;
        thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }

  private:
    void loop() {
        alignas(inotify_event) char buf[4096];
        while (!stop_ && fd_ >= 0) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            for (ssize_t off = 0; off < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
                const std::string name = e->len ? e->name : "";
                if (name.starts_with(".fax-") && trigger_.instant_is(Instant::Routing))
                    trigger_.fire("routing writing " + name, false);
                off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
        }
    }

    Trigger& trigger_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// One life of faxd on the trial's spool, and a client connected to it.
class Faxd {
  public:
    Faxd(const TrialOptions& o, const fs::path& dir, int life, Trigger& trigger)
        : process_({o.faxd.string(), "--config", (dir / "faxd.toml").string()},
                   dir / ("faxd-" + std::to_string(life) + ".log")) {
        client_.set_notification_handler([&trigger](const std::string& m, const rpc::json& p) {
            trigger.on_notification(m, p);
        });
        const auto socket = "unix:" + (dir / "spool" / "faxd.sock").string();
        const auto until = Clock::now() + 20s;
        for (;;) {
            try {
                client_.connect(socket, 1s);
                return;
            } catch (const std::exception& e) {
                if (Clock::now() > until)
                    throw std::runtime_error("faxd did not answer on " + socket +
                                             " within 20 s: " + e.what());
                std::this_thread::sleep_for(20ms);
            }
        }
    }
    pid_t pid() const { return process_.pid(); }
    rpc::FaxClient& client() { return client_; }
    // After SIGKILL (or to end a life): waits for the process to be gone.
    void reap() {
        client_.close();
        process_.wait();
    }
    int stop() {
        client_.close();
        process_.signal(SIGTERM);
        return process_.wait();
    }

  private:
    test::Process process_;
    rpc::FaxClient client_;
};

bool is_final(const std::string& state) {
    return state == "completed" || state == "failed" || state == "retries_exceeded" ||
           state == "cancelled";
}

// Every job final, every reception ended and its routing done or given up.
bool settled(rpc::FaxClient& c) {
    for (const auto& j : c.call("jobs.list", {{"all", true}}, 5s))
        if (!is_final(j.value("state", ""))) return false;
    for (const auto& f : c.call("received.list", rpc::json::object(), 5s)) {
        if (f.value("end", "").empty()) return false;
        for (const auto& r : f.value("routing", rpc::json::array()))
            if (!r.value("done", false) && r.value("tries", 0) < kRoutingMaxTries) return false;
    }
    return true;
}

}  // namespace

const char* to_string(Instant i) {
    switch (i) {
        case Instant::AfterSubmit:
            return "after submit";
        case Instant::Dialing:
            return "dialling";
        case Instant::MidPage:
            return "mid-page";
        case Instant::BetweenPages:
            return "between pages";
        case Instant::AllPagesSent:
            return "all pages sent";
        case Instant::AfterReception:
            return "after reception";
        case Instant::Routing:
            return "routing";
        case Instant::Random:
            return "random";
    }
    return "?";
}

TrialReport run_trial(int number, std::uint64_t seed, const TrialOptions& o) {
    const auto started = Clock::now();
    TrialReport report;
    std::mt19937_64 rng(seed);
    auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

    fs::create_directories(o.work);
    std::string pattern = (o.work / "faxemu-chaos-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("cannot create a folder in " + o.work.string());
    const fs::path dir = pattern;
    report.folder = dir;
    const fs::path spool = dir / "spool", inbox = dir / "inbox", db = spool / "faxd.db";
    fs::create_directories(inbox);
    std::ofstream(dir / "faxd.toml") << config_text(dir, o.speed);

    // The plan: jobs, their pages, and one or two kills.
    std::vector<Submission> subs;
    std::vector<std::vector<std::uint8_t>> documents;
    std::vector<std::string> numbers;
    const int jobs = uniform(2, 4);
    for (int i = 1; i <= jobs + 2; ++i) {  // two spare jobs for later lives
        Submission s;
        s.mark = static_cast<std::uint32_t>(number * 100 + i);
        s.tsid = "CHAOS " + std::to_string(number) + "-" + std::to_string(i);
        // The spares go to later lives, alone: three pages give every instant a chance.
        s.pages = i <= jobs ? uniform(1, 3) : 3;
        subs.push_back(s);
        documents.push_back(
            make_marked_document(s.mark, static_cast<std::uint32_t>(s.pages), rng, dir));
        numbers.push_back("555100" + std::to_string(kSenders + 1 + (i - 1) % kReceivers));
    }
    std::vector<Instant> kills{static_cast<Instant>((number - 1) % kInstants)};
    if (uniform(0, 9) < 4) kills.push_back(static_cast<Instant>(uniform(0, kInstants - 1)));
    // A page lasts about 2-4 s of line time; the delays spread over that.
    const auto page_time = std::chrono::microseconds(static_cast<std::int64_t>(3e6 / o.speed));

    Trigger trigger;
    FolderWatch watch(inbox, trigger);
    std::vector<SeenReception> seen;
    std::size_t next_sub = 0;
    auto submit = [&](Faxd& f, std::size_t i) {
        Submission& s = subs[i];
        rpc::json params{{"number", numbers[i]},
                         {"document", rpc::base64_encode(documents[i])},
                         {"display_name", "chaos " + s.tsid},
                         {"tsid", s.tsid}};
        const auto job = f.client().call("job.submit", params, 20s);
        s.acknowledged = true;
        s.job_id = job.value("job_id", std::int64_t{0});
    };

    for (std::size_t life = 0; life < kills.size(); ++life) {
        const Instant instant = kills[life];
        Faxd f(o, dir, static_cast<int>(life) + 1, trigger);
        int max_pages = 1;
        for (const auto& s : subs) max_pages = std::max(max_pages, s.pages);
        const int target_page = uniform(1, max_pages);
        const std::chrono::microseconds max_delay = instant == Instant::MidPage  ? page_time
                                                    : instant == Instant::Random ? 3 * page_time
                                                                                 : 3000us;
        trigger.arm(f.pid(), instant, target_page, max_delay, rng());
        // The first life submits the planned jobs, each later one a spare.
        const std::size_t upto = life == 0 ? static_cast<std::size_t>(jobs) : next_sub + 1;
        const std::size_t kill_after =
            instant == Instant::AfterSubmit
                ? next_sub + uniform(0, static_cast<int>(upto - next_sub) - 1)
                : subs.size();
        try {
            for (; next_sub < upto && !trigger.fired(); ++next_sub) {
                submit(f, next_sub);
                if (next_sub == kill_after) {
                    trigger.fire("job " + std::to_string(subs[next_sub].job_id) + " acknowledged",
                                 true);
                    ++next_sub;
                    break;
                }
            }
        } catch (const std::exception&) {
            ++next_sub;  // killed during the submit: unacknowledged, maybe present
        }
        if (instant == Instant::Random) trigger.fire("random", true);
        // Wait for the instant; give up when everything is done without it.
        const auto until = Clock::now() + 60s;
        while (!trigger.wait_fired(Clock::now() + 200ms) && Clock::now() < until) {
            try {
                if (settled(f.client())) break;
            } catch (const std::exception&) {
            }
        }
        std::string what = trigger.what();
        if (!trigger.fired()) {
            trigger.fire("idle", false);
            what = std::string("not reached, killed idle");
        }
        trigger.disarm();
        f.reap();
        report.kills.push_back(std::string(to_string(instant)) + ": " + what);
        // What the crash left: the receptions seen complete, as they are now.
        const auto files = received_files(db);
        for (std::int64_t id : trigger.completed()) {
            bool known = false;
            for (const auto& s : seen) known = known || s.id == id;
            auto it = files.find(id);
            if (known || it == files.end()) continue;
            seen.push_back({id, it->second, file_hash(it->second)});
        }
        if (const auto ic = integrity_check(db); ic != "ok")
            report.failures.push_back("integrity after kill " + std::to_string(life + 1) + ": " +
                                      ic);
    }

    // The last life: submit what is left, let everything settle, look.
    SettledState state;
    {
        Faxd f(o, dir, static_cast<int>(kills.size()) + 1, trigger);
        for (; next_sub < static_cast<std::size_t>(jobs); ++next_sub) submit(f, next_sub);
        const auto until = Clock::now() + 120s;
        bool done = false;
        while (!(done = settled(f.client())) && Clock::now() < until)
            std::this_thread::sleep_for(100ms);
        if (!done) report.failures.push_back("faxd did not settle within 120 s");
        for (const auto& j : f.client().call("jobs.list", {{"all", true}}, 10s))
            state.jobs.push_back(f.client().call("job.get", {{"job_id", j.at("job_id")}}, 10s));
        for (const auto& r : f.client().call("received.list", rpc::json::object(), 10s))
            state.received.push_back(r);
        if (int rc = f.stop(); rc != 0)
            report.failures.push_back("faxd exited with " + std::to_string(rc) + " on SIGTERM");
    }
    state.files = received_files(db);
    for (const auto& e : fs::directory_iterator(inbox))
        state.inbox.push_back(e.path().filename().string());
    if (const auto ic = integrity_check(db); ic != "ok")
        report.failures.push_back("integrity at the end: " + ic);
    std::vector<std::string> known;
    for (const auto& [id, file] : state.files) known.push_back(file);
    for (const auto& f : leftover_files(spool, known))
        report.failures.push_back("left in the spool: " + f);
    for (const auto& f : leftover_files_in_folder(inbox))
        report.failures.push_back("left in the routing folder: " + f);

    subs.resize(next_sub);  // the spares never submitted are not judged
    report.verdict = judge(subs, seen, state);
    report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return report;
}

}  // namespace faxemu::chaos
