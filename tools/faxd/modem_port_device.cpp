#include "tools/faxd/modem_port_device.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "devices/class1/class1_device.hpp"
#include "devices/class2/class2_device.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/modem_probe.hpp"
#include "devices/serial/serial_line.hpp"
#include "devices/serial/uucp_lock.hpp"

namespace faxemu::faxd {

namespace {

constexpr auto kRetryDelay = std::chrono::seconds(30);

FlowControl flow_of(const std::string& name) {
    if (name == "rtscts") return FlowControl::RtsCts;
    if (name == "none") return FlowControl::None;
    return FlowControl::XonXoff;
}

// Reads [port.quirks] for one class; keys of the other class are left alone (an
// auto port may become either), keys of neither are an error.
class QuirkReader {
  public:
    explicit QuirkReader(const PortConfig& port) : port_(port) {}

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
    const PortConfig& port_;
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

Class1DriverQuirks class1_quirks(const PortConfig& port) {
    QuirkReader q(port);
    Class1DriverQuirks out;
    out.flow_control = flow_of(port.flow_control);
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

Class2DriverQuirks class2_quirks(const PortConfig& port) {
    QuirkReader q(port);
    Class2DriverQuirks out;
    out.flow_control = flow_of(port.flow_control);
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

template <typename D>
DeviceHealth health_of(const D& d) {
    DeviceHealth h;
    h.available = d.available();
    h.reason = d.unavailable_reason();
    if (!h.available && h.reason.empty()) h.reason = "opening " + d.config().device.string();
    h.description = d.modem_description();
    return h;
}

}  // namespace

ModemPortDevice::ModemPortDevice(asio::io_context& io, const Clock& clock, PortConfig port)
    : io_(io), clock_(clock), port_(std::move(port)) {
    for (const auto& [key, value] : port_.quirks)
        if (!known(key))
            QuirkReader(port_).fail(key,
                                    "no such quirk (Class 1: tm_connect_delay_ms, "
                                    "frs_before_data, rh_connect_bug, bit_order, dle_bug, "
                                    "fcerror_retries, tx_switch_silence, rx_switch_silence; "
                                    "Class 2: "
                                    "session_before_dial, wait_for_xon, rx_trigger, "
                                    "bit_order, reversed_rx_data)");
    // Both sets are checked now, so a mistake shows at start, not at the first probe.
    class1_quirks(port_);
    class2_quirks(port_);
    if (port_.modem_class != "auto") make_driver(port_.modem_class);
}

ModemPortDevice::~ModemPortDevice() {
    *alive_ = false;
    close_probe();
}

std::string ModemPortDevice::kind() const {
    return chosen_.empty() ? "modem" : "class" + chosen_;
}

void ModemPortDevice::set_listener(DeviceListener* listener) {
    listener_ = listener;
    if (driver_) driver_->set_listener(listener);
}

void ModemPortDevice::dial(const OutboundCall& call) {
    if (!driver_)
        throw FaxError(ErrorCode::DeviceInUse,
                       "port " + port_.name + ": the modem is not ready (" + unavailable_ + ")");
    driver_->dial(call);
}

void ModemPortDevice::answer(const InboundCall& call) {
    if (driver_) driver_->answer(call);
}

void ModemPortDevice::hangup() {
    if (driver_) driver_->hangup();
}

bool ModemPortDevice::idle() const {
    return driver_ ? driver_->idle() : true;
}

void ModemPortDevice::poll() {
    if (driver_) return driver_->poll();
    if (at_) return at_->poll();
    if (clock_.now() >= retry_at_) start_probe();
}

DeviceHealth ModemPortDevice::health() const {
    if (!driver_) {
        DeviceHealth h;
        h.available = false;
        h.reason =
            unavailable_.empty() ? "probing the modem on " + port_.device.string() : unavailable_;
        h.description = "modem on " + port_.device.string() + " (class auto)";
        return h;
    }
    DeviceHealth h = chosen_ == "1" ? health_of(static_cast<const Class1Device&>(*driver_))
                                    : health_of(static_cast<const Class2Device&>(*driver_));
    const std::string cls = "Class " + chosen_;
    h.description = port_.modem_class == "auto"
                        ? cls + " (auto: the modem offers " + offered_ + ")" +
                              (h.description.empty() ? "" : ": " + h.description)
                        : cls + (h.description.empty() ? "" : ": " + h.description);
    return h;
}

void ModemPortDevice::start_probe() {
    try {
        if (!port_.lock_dir.empty())
            lock_ = std::make_unique<UucpLock>(UucpLock::acquire(port_.device, port_.lock_dir));
        SerialSettings settings;
        settings.baud = static_cast<unsigned>(port_.baud);
        settings.flow = flow_of(port_.flow_control);
        line_ = std::make_unique<SerialLine>(io_, port_.device, settings);
        line_->open();
    } catch (const std::exception& e) {
        return probe_failed(e.what());
    }
    at_ = std::make_unique<AtChannel>(*line_, clock_);
    ModemProbe::Options options;
    options.query_class1_modulations = false;
    probe_ = std::make_unique<ModemProbe>(*at_, options);
    auto alive = alive_;
    probe_->start([this, alive](const ProbeResult& r) {
        if (!*alive) return;
        // Leave the probe's own call stack before tearing it down.
        asio::post(io_, [this, alive, r] {
            if (!*alive) return;
            close_probe();
            if (!r.ok()) return probe_failed(r.failure.message);
            const auto& classes = r.identity->classes;
            offered_.clear();
            for (const std::string& c : classes) offered_ += (offered_.empty() ? "" : ",") + c;
            const auto has = [&](const char* c) {
                return std::find(classes.begin(), classes.end(), c) != classes.end();
            };
            const char* pick = has("1") ? "1" : has("2.0") ? "2.0" : has("2") ? "2" : nullptr;
            if (!pick)
                return probe_failed("the modem on " + port_.device.string() +
                                    " offers no fax class faxd drives (+FCLASS=? " + offered_ +
                                    ")");
            spdlog::info("port \"{}\": the modem on {} offers classes {}; using Class {}",
                         port_.name, port_.device.string(), offered_, pick);
            make_driver(pick);
        });
    });
}

void ModemPortDevice::probe_failed(const std::string& reason) {
    close_probe();
    if (unavailable_ != reason)
        spdlog::warn("port \"{}\": unavailable: {}; trying again in {} s", port_.name, reason,
                     kRetryDelay.count());
    unavailable_ = reason;
    retry_at_ = clock_.now() + kRetryDelay;
}

void ModemPortDevice::close_probe() {
    probe_.reset();
    at_.reset();
    if (line_) line_->close();
    line_.reset();
    lock_.reset();
}

void ModemPortDevice::make_driver(const std::string& fax_class) {
    chosen_ = fax_class;
    if (fax_class == "1") {
        Class1DeviceConfig c;
        c.device = port_.device;
        c.baud = static_cast<unsigned>(port_.baud);
        c.lock_dir = port_.lock_dir;
        c.quirks = class1_quirks(port_);
        c.name = "port \"" + port_.name + "\" (" + port_.device.string() + ")";
        auto d = std::make_unique<Class1Device>(io_, clock_, std::move(c));
        // The Class 1 protocol trace (commands and results) at debug level.
        d->on_call_start([name = port_.name](Class1FrontEnd& fe) {
            fe.set_trace([name](const Class1FrontEnd::TraceEvent& e) {
                spdlog::debug("port \"{}\": {} {}", name,
                              e.kind == Class1FrontEnd::TraceEvent::Kind::Command ? "->" : "<-",
                              e.text);
            });
        });
        driver_ = std::move(d);
    } else {
        Class2DeviceConfig c;
        c.device = port_.device;
        c.baud = static_cast<unsigned>(port_.baud);
        c.lock_dir = port_.lock_dir;
        c.variant = fax_class == "2" ? Class2Variant::Class2 : Class2Variant::Class20;
        c.quirks = class2_quirks(port_);
        c.name = "port \"" + port_.name + "\" (" + port_.device.string() + ")";
        c.trace = [name = port_.name](const std::string& line) {
            spdlog::debug("port \"{}\": {}", name, line);
        };
        driver_ = std::make_unique<Class2Device>(io_, clock_, std::move(c));
    }
    if (listener_) driver_->set_listener(listener_);
}

}  // namespace faxemu::faxd
