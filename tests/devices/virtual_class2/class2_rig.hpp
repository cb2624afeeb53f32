// The in-process rig of the virtual Class 2 tests: a Class2Engine (or any
// engine) on number 100 with a scripted host, a simulated fax port on 200, one
// exchange on virtual time. The far end is the rig's SimulatedEnd.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "scripted_host.hpp"
#include "tests/support/virtual_time_rig.hpp"

namespace faxemu::test {

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
    SimulatedEnd far;
    std::filesystem::path far_document;
    Class2Engine modem;
    LineAttachment attachment;
    ScriptedHost host;
};

}  // namespace faxemu::test
