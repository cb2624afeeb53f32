// The in-process rig of the virtual Class 2 tests: a Class2Engine (or any
// engine) on number 100 with a scripted host, a simulated fax port on 200, one
// exchange on virtual time.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "devices/simulated_device.hpp"
#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "scripted_host.hpp"

namespace faxemu::test {

// Answers (or dials) and records how the simulated port's call ended.
struct FarEnd : DeviceListener {
    FarEnd(VirtualExchange& x, const std::string& number) : device(x, number) {
        device.set_listener(this);
    }
    void on_ring(int, const std::string&) override {
        if (answer_with) device.answer(*answer_with);
    }
    void on_connected() override {}
    void on_session_event(const SessionEvent& e) override {
        if (e.kind == SessionEvent::Kind::Negotiated) session = e.session;
    }
    void on_call_ended(const CallOutcome& o) override {
        outcome = o;
        ended = true;
    }
    SimulatedDevice device;
    std::optional<InboundCall> answer_with;
    DcsInfo session;
    CallOutcome outcome;
    bool ended = false;
};

inline Class2Options traced() {
    Class2Options o;
    if (std::getenv("FAXEMU_TRACE"))
        o.on_event = [](const std::string& e) { std::cerr << e << "\n"; };
    return o;
}

struct Rig {
    explicit Rig(Class2Options options = traced())
        : exchange(clock),
          far(exchange, "200"),
          modem(exchange, "100", std::move(options)),
          attachment(exchange, modem),
          host(exchange, modem) {}
    VirtualClock clock;
    VirtualExchange exchange;
    FarEnd far;
    std::filesystem::path far_document;
    Class2Engine modem;
    LineAttachment attachment;
    ScriptedHost host;
};

}  // namespace faxemu::test
