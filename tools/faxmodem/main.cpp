// faxmodem: a bank of virtual fax modems on pseudo-terminals, all on one virtual
// phone exchange, plus simulated fax ports (known-good T.30 peers) on the same
// exchange, so third-party fax programs (efax, HylaFAX, mgetty) can be tested.
//
//   faxmodem --modem /tmp/ttyFAX0=5550001 --modem /tmp/ttyFAX1=5550002,class=1,busy
//            --simulated 5551001,rx=/tmp/inbox --simulated 5551002,send=doc.tif,to=5550001
//            --speed 4
//
// Line time runs at --speed times real time (hosts need real-time reactions; efax
// breaks above 16x). Prints "ready: ..." once every device is up, and a line per call
// event. SIGUSR1 makes every simulated port that has a document to send dial now.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/engine_factory.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty_modem.hpp"

#if defined(FAXEMU_HAVE_VIRTUAL_CLASS2) && \
    __has_include("devices/virtual_class2/register_engines.hpp")
#include "devices/virtual_class2/register_engines.hpp"
#define FAXEMU_REGISTER_CLASS2 1
#endif

using namespace faxemu;

namespace {

// "HEAD,key=value,flag,..." -> HEAD and the pairs (a bare flag is "1").
std::pair<std::string, std::map<std::string, std::string>> split_spec(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream ss(text);
    for (std::string p; std::getline(ss, p, ',');) parts.push_back(p);
    if (parts.empty() || parts[0].empty()) throw std::invalid_argument("empty spec '" + text + "'");
    std::map<std::string, std::string> kv;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto eq = parts[i].find('=');
        if (eq == std::string::npos)
            kv[parts[i]] = "1";
        else
            kv[parts[i].substr(0, eq)] = parts[i].substr(eq + 1);
    }
    return {parts[0], kv};
}

// A simulated fax port: answers after `rings` rings and receives into a folder,
// or sends a document to a number when told.
class SimulatedPort final : public DeviceListener {
  public:
    SimulatedPort(VirtualExchange& exchange, const std::string& spec) {
        auto [number, kv] = split_spec(spec);
        number_ = number;
        auto take = [&](const char* key) -> std::optional<std::string> {
            auto it = kv.find(key);
            if (it == kv.end()) return std::nullopt;
            std::string v = it->second;
            kv.erase(it);
            return v;
        };
        if (auto v = take("rx")) rx_dir_ = *v;
        if (auto v = take("send")) document_ = *v;
        if (auto v = take("to")) to_ = *v;
        if (auto v = take("rings")) rings_ = std::stoi(*v);
        if (auto v = take("ident")) config_.local_ident = *v;
        if (auto v = take("ecm")) config_.ecm = *v != "0";
        if (auto v = take("after")) after_ = std::stod(*v);
        if (!kv.empty())
            throw std::invalid_argument("simulated port " + number_ + ": unknown option '" +
                                        kv.begin()->first + "'");
        if (config_.local_ident.empty()) config_.local_ident = number_;
        if (!document_.empty()) {
            if (to_.empty())
                throw std::invalid_argument("simulated port " + number_ + ": send= needs to=");
            if (!std::filesystem::exists(document_))
                throw std::invalid_argument("simulated port " + number_ + ": no such document " +
                                            document_.string());
        }
        if (!rx_dir_.empty()) std::filesystem::create_directories(rx_dir_);
        device_ = std::make_unique<SimulatedDevice>(exchange, number_);
        device_->set_listener(this);
        if (after_ && !document_.empty())
            dial_at_ = exchange.clock().now() +
                       std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*after_));
    }

    const std::string& number() const { return number_; }
    std::string describe() const {
        std::string d = "simulated " + number_;
        if (!rx_dir_.empty()) d += " receiving into " + rx_dir_.string();
        if (!document_.empty()) d += " sending " + document_.string() + " to " + to_;
        return d;
    }

    void send_now() {
        if (document_.empty()) return;
        if (!device_->idle()) {
            spdlog::warn("sim {}: busy, not dialling", number_);
            return;
        }
        spdlog::info("sim {}: dials {} to send {}", number_, to_, document_.string());
        OutboundCall call;
        call.number = to_;
        call.document = document_;
        call.session = config_;
        device_->dial(call);
    }

    void tick(TimePoint now) {
        if (dial_at_ && now >= *dial_at_) {
            dial_at_.reset();
            send_now();
        }
    }

    void on_ring(int ring_count, const std::string& caller_id) override {
        spdlog::info("sim {}: RING {} from {}", number_, ring_count, caller_id);
        if (rx_dir_.empty() || ring_count < rings_) return;
        InboundCall call;
        rx_file_ = rx_dir_ / ("fax-" + std::to_string(++received_) + ".tif");
        call.rx_file = rx_file_;
        call.session = config_;
        spdlog::info("sim {}: answers, receiving into {}", number_, rx_file_.string());
        device_->answer(call);
    }
    void on_connected() override { spdlog::info("sim {}: connected", number_); }
    void on_session_event(const SessionEvent& e) override {
        switch (e.kind) {
            case SessionEvent::Kind::Negotiated:
                spdlog::info("sim {}: negotiated {} {} bps {} {} ecm={} remote '{}'", number_,
                             e.session.modulation, e.session.bit_rate, e.session.resolution,
                             e.session.compression, e.session.ecm, e.remote_ident);
                break;
            case SessionEvent::Kind::PageDone:
                spdlog::info("sim {}: page {} done{}", number_, e.pages_done,
                             e.last_page ? " (last)" : "");
                break;
            case SessionEvent::Kind::Finished:
                spdlog::info("sim {}: T.30 finished: {}", number_, e.cause_text);
                break;
        }
    }
    void on_call_ended(const CallOutcome& o) override {
        spdlog::info("sim {}: call ended: {} ({} pages){}", number_,
                     o.ok() ? "ok" : to_string(o.failure), o.pages_done,
                     o.cause_text.empty() ? "" : ": " + o.cause_text);
        if (!rx_file_.empty()) {
            if (o.ok()) spdlog::info("sim {}: received {}", number_, rx_file_.string());
            rx_file_.clear();
        }
    }

  private:
    std::string number_;
    std::filesystem::path rx_dir_, document_, rx_file_;
    std::string to_;
    int rings_ = 1;
    int received_ = 0;
    std::optional<double> after_;
    std::optional<TimePoint> dial_at_;
    SessionConfig config_;
    std::unique_ptr<SimulatedDevice> device_;
};

struct HostedModem {
    std::unique_ptr<PtyModem> pty;
    std::unique_ptr<LineAttachment> line;
    bool error_reported = false;
};

}  // namespace

int main(int argc, char** argv) {
#ifdef FAXEMU_REGISTER_CLASS2
    register_virtual_class2_engines();  // before the help, which lists their classes and keys
#endif
    CLI::App app{"faxmodem: virtual fax modems on pseudo-terminals, on one virtual exchange"};
    app.set_version_flag("--version", std::string("faxmodem ") + FAXEMU_VERSION);
    std::vector<std::string> modem_specs, sim_specs;
    double speed = 1;
    std::string log_level = "info";
    std::string classes;
    for (const auto& c : engine_classes()) classes += (classes.empty() ? "" : "|") + c;
    app.add_option("-m,--modem", modem_specs,
                   "PATH=NUMBER[,class=" + classes +
                       "][,key[=value]...]: a modem on a pty, PATH a symlink to it; "
                       "class 1 by default; keys below");
    app.add_option("-s,--simulated", sim_specs,
                   "NUMBER[,rx=DIR][,rings=N][,send=TIFF,to=NUMBER[,after=SECONDS]][,ident=ID]"
                   "[,ecm=0]: a simulated fax port (receives into DIR; sends on SIGUSR1 or after "
                   "SECONDS of line time)");
    app.add_option("--speed", speed, "line time per wall time (1 = real time; efax needs <= 16)")
        ->check(CLI::Range(0.01, 1000.0));
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
    app.footer("--modem keys (a key alone means key=1):\n" + engine_options_help());
    CLI11_PARSE(app, argc, argv);

    spdlog::set_level(spdlog::level::from_str(log_level));
    spdlog::flush_on(spdlog::level::trace);
    spdlog::set_pattern("%H:%M:%S.%e faxmodem: %v");

    try {
        asio::io_context io;
        VirtualClock clock;
        // Rings are paced in wall time too: a host flooded with RINGs never gets a word in.
        ExchangeTiming timing;
        timing.ring_period = std::max(
            timing.ring_period,
            std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.5 * speed)));
        timing.no_answer_timeout = std::max(timing.no_answer_timeout, 10 * timing.ring_period);
        VirtualExchange exchange(clock, timing);

        std::vector<std::unique_ptr<SimulatedPort>> sims;
        for (const auto& spec : sim_specs)
            sims.push_back(std::make_unique<SimulatedPort>(exchange, spec));

        std::vector<HostedModem> modems;
        for (const auto& text : modem_specs) {
            auto [head, kv] = split_spec(text);
            const auto eq = head.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == head.size())
                throw std::invalid_argument("--modem " + text + ": expected PATH=NUMBER[,...]");
            EngineSpec spec;
            spec.number = head.substr(eq + 1);
            if (auto it = kv.find("class"); it != kv.end()) {
                spec.modem_class = it->second;
                kv.erase(it);
            }
            spec.options = EngineOptions(kv);
            spec.on_event = [](const std::string& e) { spdlog::info("{}", e); };
            const std::string modem_class = spec.modem_class;
            const std::string number = spec.number;
            HostedModem h;
            h.pty = std::make_unique<PtyModem>(io, make_engine(exchange, std::move(spec)),
                                               std::filesystem::path(head.substr(0, eq)));
            h.line = std::make_unique<LineAttachment>(exchange, h.pty->engine());
            spdlog::info("ready: modem {} class {} on {}", number, modem_class,
                         h.pty->device_path().string());
            modems.push_back(std::move(h));
        }
        for (const auto& s : sims) spdlog::info("ready: {}", s->describe());
        if (modems.empty() && sims.empty()) {
            spdlog::error("nothing to run: give --modem and/or --simulated");
            return 2;
        }

        // The exchange steps on a timer: 20 ms blocks of line time per 20/speed ms of wall time,
        // catching up after a late wake-up. Pty I/O is served between steps.
        asio::steady_timer timer(io);
        const auto start = std::chrono::steady_clock::now();
        std::int64_t blocks = 0;
        const auto block_wall = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(0.020 / speed));
        std::function<void()> schedule = [&] {
            timer.expires_at(start + block_wall * (blocks + 1));
            timer.async_wait([&](const asio::error_code& ec) {
                if (ec) return;
                const auto now = std::chrono::steady_clock::now();
                int steps = 0;
                while (start + block_wall * (blocks + 1) <= now && steps++ < 50) {
                    exchange.step();
                    ++blocks;
                    for (auto& s : sims) s->tick(clock.now());
                }
                if (steps > 50) blocks = (now - start) / block_wall;  // too far behind: skip
                for (auto& m : modems) {
                    if (!m.error_reported && !m.pty->error().empty()) {
                        m.error_reported = true;
                        spdlog::error("{}", m.pty->error());
                    }
                }
                schedule();
            });
        };
        schedule();

        asio::signal_set stop(io, SIGTERM, SIGINT);
        stop.async_wait([&](const asio::error_code& ec, int sig) {
            if (ec) return;
            spdlog::info("signal {}: stopping", sig);
            io.stop();
        });
        asio::signal_set usr1(io, SIGUSR1);
        std::function<void()> wait_usr1 = [&] {
            usr1.async_wait([&](const asio::error_code& ec, int) {
                if (ec) return;
                for (auto& s : sims) s->send_now();
                wait_usr1();
            });
        };
        wait_usr1();
        io.run();
        modems.clear();  // detach and remove the symlinks
        sims.clear();
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
