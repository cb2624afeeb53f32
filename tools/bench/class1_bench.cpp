// faxemu-class1-bench: the Class 1 driver on virtual modems, measured.
//
//  1. Driver response latency: the wall time from the moment a virtual modem
//     writes a final result (OK, CONNECT) to the moment the host's next bytes
//     (the next AT command, a frame, page data) reach that modem. It covers the
//     pty both ways, Asio, the AT channel, the front end and T.30. Measured with K
//     Class 1 calls running at once in the one loop (the load).
//  2. Pages per CPU second through driver + virtual modem (Class1Device -> T.31 on
//     a pty -> exchange -> Class1Device), beside the spandsp audio floor (two
//     fax_state_t back to back, no driver, no modem emulation).
// Prints figures; asserts nothing.
#include <fmt/format.h>
#include <spandsp.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio_fax_channel.hpp"
#include "core/documents/document.hpp"
#include "devices/class1/class1_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tools/bench/bench_support.hpp"

namespace fs = std::filesystem;
using namespace faxemu;
using Steady = std::chrono::steady_clock;
using bench::cpu_now;
using bench::percentile;

namespace {

// Wraps a modem engine to time the host's reaction: a final result goes out, the
// host's next bytes come in.
class TimingEngine final : public ModemEngine {
  public:
    TimingEngine(std::unique_ptr<ModemEngine> inner, std::vector<double>& to_command,
                 std::vector<double>& to_data)
        : inner_(std::move(inner)), to_command_(to_command), to_data_(to_data) {}

    void set_host_writer(HostWriter writer) override {
        writer_ = std::move(writer);
        inner_->set_host_writer([this](const std::uint8_t* d, std::size_t n) {
            scan(d, n);
            writer_(d, n);
        });
    }
    void host_bytes(const std::uint8_t* d, std::size_t n) override {
        if (result_at_ && n > 0) {
            const double us =
                std::chrono::duration<double, std::micro>(Steady::now() - *result_at_).count();
            (n >= 2 && d[0] == 'A' && d[1] == 'T' ? to_command_ : to_data_).push_back(us);
            if (us > 10000 && getenv("BENCH_DEBUG"))
                fmt::print("slow {:.0f} us: {} -> {}\n", us, result_line_,
                           std::string(d, d + std::min<std::size_t>(n, 12)));
            result_at_.reset();
        }
        // The answer to ATH ends a call: nothing follows it at once.
        if (n >= 3 && d[0] == 'A' && d[1] == 'T')
            last_command_.assign(d, d + std::min<std::size_t>(n, 6));
        inner_->host_bytes(d, n);
    }
    const std::string& number() const override { return inner_->number(); }
    void tick() override { inner_->tick(); }
    void line_ringing(int c, const std::string& id) override { inner_->line_ringing(c, id); }
    void line_connected() override { inner_->line_connected(); }
    void line_ended(LineEnd why) override { inner_->line_ended(why); }
    void line_transmit(std::int16_t* out, int n) override { inner_->line_transmit(out, n); }
    void line_receive(const std::int16_t* in, int n) override { inner_->line_receive(in, n); }

  private:
    // Results are whole lines ("\r\nOK\r\n"); a final one starts the stopwatch.
    void scan(const std::uint8_t* d, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const char c = static_cast<char>(d[i]);
            if (c == '\n') {
                // CONNECT to +FRH/+FRM/ATD means data for the host follows: the
                // host only listens.
                const bool rx_connect =
                    line_.rfind("CONNECT", 0) == 0 &&
                    (last_command_.rfind("AT+FR", 0) == 0 || last_command_.rfind("ATD", 0) == 0);
                if ((line_ == "OK" || line_.rfind("CONNECT", 0) == 0) && !rx_connect &&
                    last_command_.rfind("ATH", 0) != 0) {
                    result_at_ = Steady::now();
                    result_line_ = line_ + " after " + last_command_;
                }
                line_.clear();
            } else if (c != '\r') {
                if (line_.size() < 32) line_.push_back(c);
            }
        }
    }
    std::unique_ptr<ModemEngine> inner_;
    HostWriter writer_;
    std::vector<double>& to_command_;
    std::vector<double>& to_data_;
    std::optional<Steady::time_point> result_at_;
    std::string line_;
    std::string last_command_;
    std::string result_line_;
};

struct Listener : DeviceListener {
    void on_ring(int count, const std::string&) override {
        if (inbound && count >= 1 && device) {
            device->answer(*inbound);
            inbound.reset();
        }
    }
    void on_connected() override {}
    void on_session_event(const SessionEvent&) override {}
    void on_call_ended(const CallOutcome& o) override { outcome = o; }
    Device* device = nullptr;
    std::optional<InboundCall> inbound;
    std::optional<CallOutcome> outcome;
};

struct Port {
    std::unique_ptr<PtyModem> pty;
    std::unique_ptr<LineAttachment> attachment;
    std::unique_ptr<Class1Device> device;
    Listener listener;
    std::uint64_t unread = 0;
};

// K sender/receiver pairs of Class 1 devices on virtual modems, one loop.
struct Bench {
    Bench() : exchange(clock) {}
    ~Bench() {
        for (auto& p : ports) p->device.reset();
        for (auto& p : ports) p->attachment.reset();
    }
    Port& add(const std::string& number) {
        auto p = std::make_unique<Port>();
        auto engine = std::make_unique<TimingEngine>(
            std::make_unique<Class1Engine>(exchange, number), to_command, to_data);
        ModemEngine& e = *engine;
        p->pty = std::make_unique<PtyModem>(io, std::move(engine));
        p->attachment = std::make_unique<LineAttachment>(exchange, e);
        Class1DeviceConfig cfg;
        cfg.device = p->pty->device_path();
        cfg.lock_dir.clear();
        p->device = std::make_unique<Class1Device>(io, clock, cfg);
        p->device->set_listener(&p->listener);
        p->listener.device = p->device.get();
        ports.push_back(std::move(p));
        return *ports.back();
    }
    bool settled() const {
        for (const auto& p : ports) {
            if (p->pty->pending_to_host() > 0 || p->device->modem().output_in_flight())
                return false;
            if (p->device->modem().bytes_written() != p->pty->bytes_from_host()) return false;
            if (p->device->modem().is_open() &&
                p->pty->bytes_to_host() - p->unread != p->device->modem().bytes_read())
                return false;
        }
        return true;
    }
    void settle() {
        auto last = Steady::now();
        for (;;) {
            std::size_t ran = 0;
            while (io.poll_one() > 0) ++ran;
            if (settled()) return;
            ran += io.run_one_for(std::chrono::milliseconds(1));
            if (ran) last = Steady::now();
            if (Steady::now() - last > std::chrono::milliseconds(300)) {
                for (auto& p : ports)
                    p->unread = p->pty->bytes_to_host() - p->device->modem().bytes_read();
                last = Steady::now();
            }
        }
    }
    void step() {
        settle();
        exchange.step();
        for (auto& p : ports) p->device->poll();
        settle();
    }
    VirtualClock clock;
    VirtualExchange exchange;
    asio::io_context io;
    std::vector<std::unique_ptr<Port>> ports;
    std::vector<double> to_command, to_data;
};

struct Outcome {
    double cpu = 0;
    double line = 0;
    int pages = 0;
    int failed = 0;
};

Outcome class1_calls(const fs::path& fax, const fs::path& work, int pairs, bool ecm,
                     std::vector<double>* to_command, std::vector<double>* to_data) {
    Bench b;
    std::vector<std::pair<Port*, Port*>> calls;
    for (int i = 0; i < pairs; ++i) {
        Port& s = b.add(std::to_string(5550000 + 2 * i));
        Port& r = b.add(std::to_string(5550001 + 2 * i));
        calls.emplace_back(&s, &r);
    }
    for (int i = 0; i < 200; ++i) {  // bring every device up (probe, init)
        b.step();
        bool all = true;
        for (auto& p : b.ports) all = all && p->device->idle();
        if (all) break;
    }
    const double t0 = cpu_now();
    const TimePoint start = b.clock.now();
    b.to_command.clear();  // the bring-up's last answers are not reactions in a call
    b.to_data.clear();
    for (std::size_t i = 0; i < calls.size(); ++i) {
        auto [s, r] = calls[i];
        SessionConfig sc;
        sc.ecm = ecm;
        sc.local_ident = "BENCH " + std::to_string(i);
        r->listener.inbound = InboundCall{work / ("rx-" + std::to_string(i) + ".tif"), sc};
        s->device->dial(
            OutboundCall{std::to_string(5550001 + 2 * static_cast<int>(i)), fax, 0, -1, sc});
    }
    auto done = [&] {
        for (auto [s, r] : calls)
            if (!s->listener.outcome || !r->listener.outcome) return false;
        return true;
    };
    while (!done() && b.clock.now() - start < std::chrono::hours(1)) b.step();
    Outcome o;
    o.cpu = cpu_now() - t0;
    o.line = std::chrono::duration<double>(b.clock.now() - start).count();
    for (auto [s, r] : calls) {
        if (r->listener.outcome && r->listener.outcome->ok())
            o.pages += r->listener.outcome->pages_done;
        else
            ++o.failed;
    }
    if (to_command) *to_command = b.to_command;
    if (to_data) *to_data = b.to_data;
    return o;
}

// The floor: two spandsp fax terminals back to back over audio.
Outcome audio_floor(const fs::path& fax, const fs::path& rx, bool ecm) {
    SessionConfig sc;
    sc.ecm = ecm;
    int pages = 0;
    bool a_done = false, b_done = false;
    AudioFaxChannel a(true, SessionDirection::Send, sc, fax, [&](const SessionEvent& e) {
        if (e.kind == SessionEvent::Kind::Finished) a_done = true;
    });
    AudioFaxChannel b(false, SessionDirection::Receive, sc, rx, [&](const SessionEvent& e) {
        if (e.kind == SessionEvent::Kind::Finished) {
            b_done = true;
            if (e.cause == T30_ERR_OK) pages = e.pages_done;
        }
    });
    std::int16_t ab[kBlockSamples], bb[kBlockSamples];
    long blocks = 0;
    const double t0 = cpu_now();
    while (!(a_done && b_done) && blocks < 50 * 3600) {
        a.transmit(ab, kBlockSamples);
        b.transmit(bb, kBlockSamples);
        a.receive(bb, kBlockSamples);
        b.receive(ab, kBlockSamples);
        ++blocks;
    }
    Outcome o;
    o.cpu = cpu_now() - t0;
    o.line = static_cast<double>(blocks) * kBlockSamples / kSampleRate;
    o.pages = pages;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    int load = 8;
    bench::SendBench b{"faxemu Class 1 driver benchmark: latency and pages per CPU second",
                       "faxemu-class1-bench"};
    b.add_count("-k,--load", load, "Class 1 calls at once for the latency run", 1, 64);
    if (const auto exit = b.start(argc, argv)) return *exit;

    const Outcome floor = audio_floor(b.fax, b.work / "floor-rx.tif", b.ecm);
    fmt::print(
        "spandsp audio floor (2 fax_state_t):      {:.3f} s cpu, {:.1f} s line, "
        "{:.1f} pages/cpu s\n",
        floor.cpu, floor.line, floor.pages / floor.cpu);

    const Outcome one = class1_calls(b.fax, b.work, 1, b.ecm, nullptr, nullptr);
    fmt::print(
        "Class 1 driver + virtual modem, 1 call:   {:.3f} s cpu, {:.1f} s line, "
        "{:.1f} pages/cpu s ({} failed), {:.2f}x the floor's cpu\n",
        one.cpu, one.line, one.pages / one.cpu, one.failed, one.cpu / floor.cpu);

    std::vector<double> to_command, to_data;
    const Outcome many = class1_calls(b.fax, b.work, load, b.ecm, &to_command, &to_data);
    fmt::print(
        "Class 1 driver + virtual modem, {} calls: {:.3f} s cpu, {:.1f} s line, "
        "{:.1f} pages/cpu s ({} failed)\n",
        load, many.cpu, many.line, many.pages / many.cpu, many.failed);
    fmt::print(
        "response latency under load ({} calls at once), final result -> host's next "
        "bytes at the modem:\n",
        load);
    fmt::print("  -> next AT command: n={} median {:.0f} us, p99 {:.0f} us, max {:.0f} us\n",
               to_command.size(), percentile(to_command, 0.5), percentile(to_command, 0.99),
               percentile(to_command, 1.0));
    fmt::print("  -> frame / data:    n={} median {:.0f} us, p99 {:.0f} us, max {:.0f} us\n",
               to_data.size(), percentile(to_data, 0.5), percentile(to_data, 0.99),
               percentile(to_data, 1.0));
    fs::remove_all(b.work);
    return one.failed + many.failed > 0 ? 1 : 0;
}
