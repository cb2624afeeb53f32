#include "devices/modem_port/modem_port_config.hpp"

#include <stdexcept>

namespace faxemu {

FlowControl flow_control_of(const std::string& name) {
    if (name == "rtscts") return FlowControl::RtsCts;
    if (name == "none") return FlowControl::None;
    return FlowControl::XonXoff;
}

namespace {

// Reads [port.quirks] for one class; keys of the other class are left alone (an
// auto port may become either), keys of neither are an error.
class QuirkReader {
  public:
    explicit QuirkReader(const ModemPortConfig& port) : port_(port) {}

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw std::runtime_error("port \"" + port_.name + "\": quirks." + key + ": " + what);
    }
    const std::string* find(const std::string& key) const {
        auto it = port_.quirks.find(key);
        return it == port_.quirks.end() ? nullptr : &it->second;
    }
    int integer(const std::string& key, int fallback, int lo, int hi) const {
        const std::string* v = find(key);
        if (!v) return fallback;
        try {
            std::size_t used = 0;
            const int n = std::stoi(*v, &used);
            if (used != v->size() || n < lo || n > hi) throw std::out_of_range(key);
            return n;
        } catch (const std::exception&) {
            fail(key, "expected a whole number from " + std::to_string(lo) + " to " +
                          std::to_string(hi) + ", not \"" + *v + "\"");
        }
    }
    bool boolean(const std::string& key, bool fallback) const {
        const std::string* v = find(key);
        if (!v) return fallback;
        if (*v == "true") return true;
        if (*v == "false") return false;
        fail(key, "expected true or false, not \"" + *v + "\"");
    }

  private:
    const ModemPortConfig& port_;
};

const char* const kClass1Keys[] = {"tm_connect_delay_ms", "frs_before_data",  "rh_connect_bug",
                                   "bit_order",           "dle_bug",          "fcerror_retries",
                                   "tx_switch_silence",   "rx_switch_silence"};
const char* const kClass2Keys[] = {"session_before_dial", "wait_for_xon", "rx_trigger", "bit_order",
                                   "reversed_rx_data"};

bool known(const std::string& key) {
    for (const char* k : kClass1Keys)
        if (key == k) return true;
    for (const char* k : kClass2Keys)
        if (key == k) return true;
    return false;
}

}  // namespace

void check_quirk_keys(const ModemPortConfig& port) {
    for (const auto& [key, value] : port.quirks)
        if (!known(key))
            QuirkReader(port).fail(key,
                                   "no such quirk (Class 1: tm_connect_delay_ms, "
                                   "frs_before_data, rh_connect_bug, bit_order, dle_bug, "
                                   "fcerror_retries, tx_switch_silence, rx_switch_silence; "
                                   "Class 2: "
                                   "session_before_dial, wait_for_xon, rx_trigger, "
                                   "bit_order, reversed_rx_data)");
}

Class1DriverQuirks class1_quirks(const ModemPortConfig& port) {
    QuirkReader q(port);
    Class1DriverQuirks out;
    out.flow_control = flow_control_of(port.flow_control);
    out.tm_connect_delay = std::chrono::milliseconds(q.integer("tm_connect_delay_ms", 0, 0, 5000));
    out.frs_before_data = q.integer("frs_before_data", out.frs_before_data, 0, 255);
    out.rh_connect_bug = q.boolean("rh_connect_bug", out.rh_connect_bug);
    out.dle_bug = q.boolean("dle_bug", out.dle_bug);
    out.fcerror_retries = q.integer("fcerror_retries", out.fcerror_retries, 0, 20);
    out.tx_switch_silence = q.integer("tx_switch_silence", out.tx_switch_silence, 0, 255);
    out.rx_switch_silence = q.integer("rx_switch_silence", out.rx_switch_silence, 0, 255);
    if (const std::string* v = q.find("bit_order")) {
        auto order = parse_bit_order(*v);
        if (!order) q.fail("bit_order", "expected \"lsb\" or \"reversed\", not \"" + *v + "\"");
        out.bit_order = *order;
    }
    return out;
}

Class2DriverQuirks class2_quirks(const ModemPortConfig& port) {
    QuirkReader q(port);
    Class2DriverQuirks out;
    out.flow_control = flow_control_of(port.flow_control);
    out.session_before_dial = q.boolean("session_before_dial", out.session_before_dial);
    if (q.find("wait_for_xon")) out.wait_for_xon = q.boolean("wait_for_xon", false);
    out.rx_trigger = static_cast<std::uint8_t>(q.integer("rx_trigger", out.rx_trigger, 0, 255));
    out.reversed_rx_data = q.boolean("reversed_rx_data", out.reversed_rx_data);
    if (const std::string* v = q.find("bit_order")) {
        if (*v == "lsb" || *v == "direct" || *v == "normal" || *v == "0")
            out.bit_order = 0;
        else if (*v == "reversed" || *v == "msb" || *v == "1")
            out.bit_order = 1;
        else
            q.fail("bit_order", "expected \"lsb\" or \"reversed\", not \"" + *v + "\"");
    }
    return out;
}

}  // namespace faxemu
