// The Class 2 test rig: Class2Device <-> PtyModem(Class2Engine) <-> virtual
// exchange <-> SimulatedDevice, all on virtual time in one io_context. Before
// each exchange step the rig settles the pseudo-terminal: it runs Asio handlers
// until no byte is in flight either way, so the host answers "instantly" in line
// time and runs are deterministic.
#pragma once

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/class2/class2_device.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tests/support/fax_document.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

// Records what a device tells its port.
class Recorder : public DeviceListener {
  public:
    void on_ring(int count, const std::string& caller_id) override {
        rings.push_back(count);
        caller_ids.push_back(caller_id);
        if (answer_on_ring > 0 && count >= answer_on_ring && device && inbound) {
            answer_on_ring = 0;
            device->answer(*inbound);
        }
    }
    void on_connected() override { ++connected; }
    void on_session_event(const SessionEvent& e) override {
        events.push_back(e);
        if (e.kind == SessionEvent::Kind::Negotiated) negotiated = e.session;
        if (e.kind == SessionEvent::Kind::Negotiated || e.kind == SessionEvent::Kind::PageDone)
            remote_ident = e.remote_ident;
    }
    void on_call_ended(const CallOutcome& o) override {
        outcome = o;
        ++calls_ended;
    }

    int pages_done() const {
        int n = 0;
        for (const auto& e : events)
            if (e.kind == SessionEvent::Kind::PageDone) n = std::max(n, e.pages_done);
        return n;
    }
    bool finished_reported() const {
        for (const auto& e : events)
            if (e.kind == SessionEvent::Kind::Finished) return true;
        return false;
    }

    Device* device = nullptr;
    std::optional<InboundCall> inbound;  // answer with this on ring `answer_on_ring`
    int answer_on_ring = 0;
    std::vector<int> rings;
    std::vector<std::string> caller_ids;
    int connected = 0;
    std::vector<SessionEvent> events;
    std::optional<DcsInfo> negotiated;
    std::string remote_ident;
    std::optional<CallOutcome> outcome;
    int calls_ended = 0;
};

inline constexpr const char* kModemNumber = "5550100";
inline constexpr const char* kFarNumber = "5550200";

class Class2Rig {
  public:
    using EngineMaker = std::function<std::unique_ptr<ModemEngine>(VirtualExchange&)>;

    explicit Class2Rig(Class2Options modem = {}, Class2DeviceConfig config = {})
        : Class2Rig(
              [&modem](VirtualExchange& x) {
                  return std::make_unique<Class2Engine>(x, kModemNumber, std::move(modem));
              },
              std::move(config)) {}

    // Any engine under kModemNumber (e.g. one answering every fax class).
    Class2Rig(const EngineMaker& make, Class2DeviceConfig config)
        : exchange(clock), far(exchange, kFarNumber) {
        auto engine = make(exchange);
        engine_ = dynamic_cast<Class2Engine*>(engine.get());
        ModemEngine& attached = *engine;
        pty_ = std::make_unique<PtyModem>(io, std::move(engine));
        attachment_ = std::make_unique<LineAttachment>(exchange, attached);
        config.device = pty_->device_path();
        config.lock_dir.clear();
        if (config.name.empty()) config.name = "Class 2 modem " + std::string(kModemNumber);
        config.trace = [this](const std::string& t) { trace.push_back(t); };
        device = std::make_unique<Class2Device>(io, clock, config);
        device->set_listener(&host);
        host.device = device.get();
        far.set_listener(&far_host);
        far_host.device = &far;
    }
    ~Class2Rig() {
        device.reset();
        attachment_.reset();
        pty_.reset();
    }

    // Runs handlers until no byte is in flight between the device and its modem.
    void settle() {
        const auto wall_limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (;;) {
            while (io.poll_one() > 0) {
            }
            if (settled()) return;
            io.run_one_for(std::chrono::milliseconds(2));
            if (std::chrono::steady_clock::now() > wall_limit) {
                ADD_FAILURE() << "bytes stayed in flight for 20 s of wall time";
                return;
            }
        }
    }

    void step() {
        settle();
        exchange.step();
        settle();
        device->poll();
        settle();
    }

    bool run_until(const std::function<bool()>& done, Duration limit) {
        const TimePoint end = clock.now() + limit;
        while (clock.now() < end) {
            if (done()) return true;
            step();
        }
        return done();
    }

    // Polls until the device has probed its modem (ready or unavailable).
    bool bring_up(Duration limit = std::chrono::seconds(30)) {
        return run_until(
            [this] {
                return device->status() != Class2State::Closed &&
                       device->status() != Class2State::Probing;
            },
            limit);
    }

    bool run_until_idle(Duration limit = std::chrono::minutes(10)) {
        return run_until(
            [this] {
                const bool settled_device =
                    device->idle() || device->status() == Class2State::Unavailable;
                return host.outcome && settled_device && far.idle() && !exchange.active();
            },
            limit);
    }

    // The driver's protocol trace, for failure messages.
    std::string trace_text() const {
        std::string out;
        for (const auto& t : trace) out += t + "\n";
        return out;
    }

    // The Class 2 engine when the rig was made with one.
    Class2Engine& engine() {
        if (!engine_) throw std::logic_error("this rig's modem is not a Class2Engine");
        return *engine_;
    }

    // The modem goes away (a USB adapter pulled out): the pty closes under the device.
    void unplug() {
        attachment_.reset();
        pty_.reset();
        engine_ = nullptr;
    }

    VirtualClock clock;
    VirtualExchange exchange;
    asio::io_context io;
    SimulatedDevice far;
    Recorder far_host;
    std::unique_ptr<Class2Device> device;
    Recorder host;
    std::vector<std::string> trace;

  private:
    bool settled() const {
        if (!pty_) return true;
        if (pty_->pending_to_host() > 0) return false;
        if (device->modem().bytes_written() != pty_->bytes_from_host()) return false;
        if (device->modem().output_in_flight()) return false;
        // While the device has no line open, what the modem wrote waits in the pty.
        if (device->modem().is_open() && pty_->bytes_to_host() != device->modem().bytes_read())
            return false;
        return true;
    }

    Class2Engine* engine_ = nullptr;
    std::unique_ptr<PtyModem> pty_;
    std::unique_ptr<LineAttachment> attachment_;
};

inline SessionConfig session(const std::string& ident, int modems = kAllModems, bool ecm = true,
                             int codings = kAllCodings) {
    SessionConfig s;
    s.local_ident = ident;
    s.modems = modems;
    s.ecm = ecm;
    s.codings = codings;
    return s;
}

}  // namespace faxemu::test
