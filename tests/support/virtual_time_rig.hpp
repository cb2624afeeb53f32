// The one virtual-time rig of the device tests: a virtual clock, the virtual
// exchange on it, one io_context, and any number of drivers (Class 1, Class 2,
// any Device that holds a ModemLine) each on a virtual modem behind a
// pseudo-terminal. It exists so that every device test runs the simulation loop
// of the design the same way: before and after the line moves on by one block,
// the rig settles the pseudo-terminals (runs Asio handlers until no byte is in
// flight either way) and polls each driver, so the host answers "instantly" in
// line time and runs are deterministic. DeviceRecorder is the one record of what
// a device tells its port. Each device class only says how its driver and
// modem are made (tests/devices/<class>/*_rig.hpp).
#pragma once

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/serial/modem_line.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/modem_engine.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tests/support/pty_pump.hpp"

namespace faxemu::test {

// Records what a device tells its port, and answers on a chosen ring.
class DeviceRecorder : public DeviceListener {
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

    // Answers the next call with `call` on ring `ring`.
    void answer_with(InboundCall call, int ring = 1) {
        inbound = std::move(call);
        answer_on_ring = ring;
    }
    // How the last call ended (a default outcome before any has).
    CallOutcome ended_with() const { return outcome.value_or(CallOutcome{}); }
    // What the last call negotiated (defaults before any has).
    DcsInfo session() const { return negotiated.value_or(DcsInfo{}); }

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

// A simulated fax port on the exchange with its recorder (the far end of a call).
struct SimulatedEnd {
    SimulatedEnd(VirtualExchange& exchange, const std::string& number) : device(exchange, number) {
        device.set_listener(&listener);
        listener.device = &device;
    }
    SimulatedDevice device;
    DeviceRecorder listener;
};

// What the rig pumps: one driver on its virtual modem, whatever its class.
class RigMember {
  public:
    virtual ~RigMember() = default;
    // No byte in flight between the driver and its modem.
    virtual bool drained() const = 0;
    // Writes off what the modem sent that the driver will never read (it closed its line).
    virtual void write_off_unread() = 0;
    virtual void poll() = 0;
    // The driver has probed its modem (ready or unavailable).
    virtual bool up() const = 0;
    virtual void drop_device() = 0;
    virtual void drop_modem() = 0;
};

// A driver of type DeviceT on a virtual modem (EngineT) behind a pty.
template <class DeviceT, class EngineT = ModemEngine>
struct RigModem final : RigMember {
    std::unique_ptr<PtyModem> pty;
    EngineT* engine = nullptr;
    std::unique_ptr<LineAttachment> attachment;
    std::unique_ptr<DeviceT> device;
    DeviceRecorder listener;
    std::uint64_t unread = 0;  // bytes the modem sent that no open line will read

    bool drained() const override {
        return !pty || nothing_in_flight(device->modem(), *pty, unread);
    }
    void write_off_unread() override {
        if (pty) unread = pty->bytes_to_host() - device->modem().bytes_read();
    }
    void poll() override { device->poll(); }
    bool up() const override {
        const ModemState s = device->modem().state();
        return s != ModemState::Closed && s != ModemState::Probing;
    }
    void drop_device() override { device.reset(); }
    void drop_modem() override {
        attachment.reset();
        pty.reset();
        engine = nullptr;
    }
};

class VirtualTimeRig {
  public:
    VirtualTimeRig() : exchange(clock) {}
    virtual ~VirtualTimeRig() {
        // Drivers first (they close their lines), then the modems.
        for (auto& m : members_) m->drop_device();
        for (auto& m : members_) m->drop_modem();
    }
    VirtualTimeRig(const VirtualTimeRig&) = delete;
    VirtualTimeRig& operator=(const VirtualTimeRig&) = delete;

    // `engine` on the exchange behind a pty, and a DeviceT made from `config`
    // (its device path and lock folder filled in) on the pty's other side.
    template <class DeviceT, class EngineT = ModemEngine, class Config>
    RigModem<DeviceT, EngineT>& add_modem(std::unique_ptr<EngineT> engine, Config config) {
        auto m = std::make_unique<RigModem<DeviceT, EngineT>>();
        m->engine = engine.get();
        ModemEngine& attached = *engine;
        m->pty = std::make_unique<PtyModem>(io, std::move(engine));
        m->attachment = std::make_unique<LineAttachment>(exchange, attached);
        config.device = m->pty->device_path();
        config.lock_dir.clear();
        m->device = std::make_unique<DeviceT>(io, clock, std::move(config));
        m->device->set_listener(&m->listener);
        m->listener.device = m->device.get();
        auto& added = *m;
        members_.push_back(std::move(m));
        return added;
    }

    // The modem goes away under its driver (a USB adapter unplugged): its pty closes.
    static void unplug(RigMember& m) { m.drop_modem(); }

    // Runs handlers until no byte is in flight between any driver and its modem.
    // Bytes a driver never read because it closed its line (one found
    // unavailable) are written off once nothing has moved for a while.
    void settle() {
        const auto start = std::chrono::steady_clock::now();
        auto last_progress = start;
        for (;;) {
            std::size_t ran = 0;
            while (io.poll_one() > 0) ++ran;
            if (drained()) return;
            ran += io.run_one_for(std::chrono::milliseconds(1));
            const auto now = std::chrono::steady_clock::now();
            if (ran > 0) last_progress = now;
            if (now - last_progress > std::chrono::milliseconds(300)) {
                for (auto& m : members_) m->write_off_unread();
                last_progress = now;
            }
            if (now - start > std::chrono::seconds(20)) {
                ADD_FAILURE() << "bytes stayed in flight for 20 s of wall time";
                return;
            }
        }
    }

    // One block of line time: the host drains, the line moves on, the host reads
    // what came, runs its due timers (poll) and drains again.
    void step() {
        settle();
        exchange.step();
        settle();
        for (auto& m : members_) m->poll();
        for (auto& f : after_step) f();
        settle();
    }

    // Steps until `done` or until `limit` of virtual time has passed.
    bool run_until(const std::function<bool()>& done, Duration limit) {
        const TimePoint end = clock.now() + limit;
        while (clock.now() < end) {
            if (done()) return true;
            step();
        }
        return done();
    }

    // Steps until every driver has probed its modem (ready or unavailable).
    bool bring_up(Duration limit) {
        return run_until(
            [this] {
                return std::all_of(members_.begin(), members_.end(),
                                   [](const auto& m) { return m->up(); });
            },
            limit);
    }

    VirtualClock clock;
    VirtualExchange exchange;
    asio::io_context io;
    std::vector<std::function<void()>> after_step;  // run after each poll

  private:
    bool drained() const {
        return std::all_of(members_.begin(), members_.end(),
                           [](const auto& m) { return m->drained(); });
    }

    std::vector<std::unique_ptr<RigMember>> members_;
};

}  // namespace faxemu::test
