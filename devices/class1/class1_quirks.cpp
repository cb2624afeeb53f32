#include "devices/class1/class1_quirks.hpp"

#include <fmt/format.h>

namespace faxemu {

std::optional<BitOrder> parse_bit_order(std::string_view name) {
    if (name == "lsb" || name == "normal" || name == "lsb-first" || name == "direct")
        return BitOrder::LsbFirst;
    if (name == "reversed" || name == "msb" || name == "msb-first") return BitOrder::Reversed;
    return std::nullopt;
}

const char* to_string(BitOrder order) {
    return order == BitOrder::Reversed ? "reversed" : "lsb-first";
}

std::string describe(const Class1DriverQuirks& q) {
    const Class1DriverQuirks d;
    std::string out;
    auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (q.tm_connect_delay != d.tm_connect_delay)
        add(fmt::format(
            "tm_connect_delay={}ms",
            std::chrono::duration_cast<std::chrono::milliseconds>(q.tm_connect_delay).count()));
    if (q.frs_before_data != d.frs_before_data)
        add(fmt::format("frs_before_data={}", q.frs_before_data));
    if (q.rh_connect_bug) add("rh_connect_bug");
    if (q.flow_control != d.flow_control)
        add(fmt::format("flow_control={}", to_string(q.flow_control)));
    if (q.bit_order != d.bit_order) add(fmt::format("bit_order={}", to_string(q.bit_order)));
    if (q.dle_bug) add("dle_bug");
    if (q.fcerror_retries != d.fcerror_retries)
        add(fmt::format("fcerror_retries={}", q.fcerror_retries));
    if (q.tx_switch_silence != d.tx_switch_silence)
        add(fmt::format("tx_switch_silence={}", q.tx_switch_silence));
    return out;
}

}  // namespace faxemu
