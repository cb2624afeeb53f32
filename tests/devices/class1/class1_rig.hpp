// The Class 1 test rig: Class1Device <-> PtyModem(Class1Engine) <-> virtual exchange,
// all on virtual time in one io_context. Before each exchange step the rig settles
// the pseudo-terminals: it runs Asio handlers until no byte is in flight either way
// (what a device wrote has been read by its modem and the reverse), so the host
// answers "instantly" in line time and runs are deterministic.
#pragma once

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/class1/class1_device.hpp"
#include "devices/serial/serial_line.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tests/support/fax_document.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

// Records what a device tells its port.
class RecordingListener : public DeviceListener {
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
    }
    void on_call_ended(const CallOutcome& o) override { outcome = o; }

    Device* device = nullptr;
    std::optional<InboundCall> inbound;  // answer with this on ring `answer_on_ring`
    int answer_on_ring = 0;
    std::vector<int> rings;
    std::vector<std::string> caller_ids;
    int connected = 0;
    std::vector<SessionEvent> events;
    std::optional<DcsInfo> negotiated;
    std::optional<CallOutcome> outcome;

    int pages_done() const {
        int n = 0;
        for (const auto& e : events)
            if (e.kind == SessionEvent::Kind::PageDone) n = std::max(n, e.pages_done);
        return n;
    }
};

class Class1Rig {
  public:
    struct Modem {
        std::unique_ptr<PtyModem> pty;
        Class1Engine* engine = nullptr;
        std::unique_ptr<LineAttachment> attachment;
        std::unique_ptr<Class1Device> device;
        RecordingListener listener;
        std::uint64_t unread = 0;  // bytes the modem sent that no open line will read
    };

    Class1Rig() : exchange(clock) {}
    ~Class1Rig() {
        // Devices first (they close their lines), then the modems.
        for (auto& m : modems_) m->device.reset();
        for (auto& m : modems_) m->attachment.reset();
        for (auto& m : modems_) m->pty.reset();
    }

    // A Class 1 modem on the exchange under `number`, with a Class1Device on its pty.
    Modem& add_modem(const std::string& number, Class1Options options = {},
                     Class1DriverQuirks quirks = {}) {
        auto m = std::make_unique<Modem>();
        auto engine = std::make_unique<Class1Engine>(exchange, number, std::move(options));
        m->engine = engine.get();
        m->pty = std::make_unique<PtyModem>(io, std::move(engine));
        m->attachment = std::make_unique<LineAttachment>(exchange, *m->engine);
        Class1DeviceConfig cfg;
        cfg.device = m->pty->device_path();
        cfg.lock_dir.clear();
        cfg.quirks = quirks;
        cfg.name = "Class 1 modem " + number;
        m->device = std::make_unique<Class1Device>(io, clock, cfg);
        m->device->set_listener(&m->listener);
        m->listener.device = m->device.get();
        modems_.push_back(std::move(m));
        return *modems_.back();
    }

    // The modem goes away under the device (a USB adapter unplugged): its pty closes.
    void unplug(Modem& m) {
        m.attachment.reset();
        m.pty.reset();
        m.engine = nullptr;
    }

    // Runs handlers until no byte is in flight between any device and its modem.
    // Bytes a device never read because it closed its line (a device found
    // unavailable) are written off once nothing has moved for a while.
    void settle() {
        const auto start = std::chrono::steady_clock::now();
        auto last_progress = start;
        for (;;) {
            std::size_t ran = 0;
            while (io.poll_one() > 0) ++ran;
            if (settled()) return;
            ran += io.run_one_for(std::chrono::milliseconds(1));
            const auto now = std::chrono::steady_clock::now();
            if (ran > 0) last_progress = now;
            if (now - last_progress > std::chrono::milliseconds(300)) {
                for (auto& m : modems_)
                    if (m->pty)
                        m->unread = m->pty->bytes_to_host() - m->device->modem().bytes_read();
                last_progress = now;
            }
            if (now - start > std::chrono::seconds(20)) {
                ADD_FAILURE() << "bytes stayed in flight for 20 s of wall time";
                return;
            }
        }
    }

    // One exchange step: settle, step, then poll every device (and settle again).
    void step() {
        settle();
        exchange.step();
        for (auto& m : modems_) m->device->poll();
        for (auto& f : after_step) f();
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

    // Polls until every device has probed its modem (ready or unavailable).
    bool bring_up(Duration limit = std::chrono::seconds(10)) {
        return run_until(
            [this] {
                for (auto& m : modems_)
                    if (m->device->status() == Class1State::Closed ||
                        m->device->status() == Class1State::Probing)
                        return false;
                return true;
            },
            limit);
    }

    VirtualClock clock;
    VirtualExchange exchange;
    asio::io_context io;
    std::vector<std::function<void()>> after_step;

  private:
    bool settled() const {
        for (const auto& m : modems_) {
            if (!m->pty) continue;
            if (m->pty->pending_to_host() > 0) return false;
            if (m->device->modem().output_in_flight()) return false;
            if (m->device->modem().bytes_written() != m->pty->bytes_from_host()) return false;
            if (m->device->modem().is_open() &&
                m->pty->bytes_to_host() - m->unread != m->device->modem().bytes_read())
                return false;
        }
        return true;
    }

    std::vector<std::unique_ptr<Modem>> modems_;
};

}  // namespace faxemu::test
