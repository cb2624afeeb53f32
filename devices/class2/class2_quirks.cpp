#include "devices/class2/class2_quirks.hpp"

#include <cstdio>

namespace faxemu {

std::string describe(const Class2DriverQuirks& q) {
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (q.session_before_dial) add("session before dial");
    if (q.wait_for_xon) add(*q.wait_for_xon ? "wait for XON" : "no XON wait");
    if (q.rx_trigger) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", q.rx_trigger);
        add(std::string("receive trigger ") + hex);
    }
    if (q.bit_order) add("bit order " + std::to_string(q.bit_order));
    if (q.reversed_rx_data) add("reversed receive data");
    if (q.flow_control != FlowControl::XonXoff)
        add(std::string("flow control ") + to_string(q.flow_control));
    return out;
}

}  // namespace faxemu
