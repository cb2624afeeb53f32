#include "devices/modem_port/modem_port_device.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "devices/class1/class1_device.hpp"
#include "devices/class2/class2_device.hpp"

namespace faxemu {

ModemPortDevice::ModemPortDevice(asio::io_context& io, const Clock& clock, ModemPortConfig port)
    : io_(io), clock_(clock), port_(std::move(port)) {
    check_quirk_keys(port_);
    // Both sets are checked now, so a mistake shows at start, not at the first probe.
    class1_quirks(port_);
    class2_quirks(port_);
    if (port_.modem_class != "auto") {
        make_driver(port_.modem_class);
        return;
    }
    probe_config_.device = port_.device;
    probe_config_.baud = port_.baud;
    probe_config_.lock_dir = port_.lock_dir;
    probe_config_.init_commands.clear();
    probe_config_.idle_check = Duration::zero();
    ModemLineOptions options;
    options.serial.flow = flow_control_of(port_.flow_control);
    options.probe.query_class1_modulations = false;
    ModemLineUser& user = *this;
    probe_ = std::make_unique<ModemLine>(io_, clock_, probe_config_, user, options);
}

ModemPortDevice::~ModemPortDevice() = default;

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
    probe_->poll();
    if (picked_.empty()) return;
    // The probe's line is closed (and its lock released) before the driver opens it.
    probe_.reset();
    make_driver(picked_);
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
    DeviceHealth h = driver_->health();
    const std::string cls = "Class " + chosen_;
    h.description = port_.modem_class == "auto"
                        ? cls + " (auto: the modem offers " + offered_ + ")" +
                              (h.description.empty() ? "" : ": " + h.description)
                        : cls + (h.description.empty() ? "" : ": " + h.description);
    return h;
}

ModemSetup ModemPortDevice::setup(const ModemIdentity& identity) {
    ModemSetup s;
    const auto& classes = identity.classes;
    offered_.clear();
    for (const std::string& c : classes) offered_ += (offered_.empty() ? "" : ",") + c;
    const auto has = [&](const char* c) {
        return std::find(classes.begin(), classes.end(), c) != classes.end();
    };
    const char* pick = has("1") ? "1" : has("2.0") ? "2.0" : has("2") ? "2" : nullptr;
    if (!pick) {
        s.refusal = "the modem on " + port_.device.string() +
                    " offers no fax class faxd drives (+FCLASS=? " + offered_ + ")";
        return s;
    }
    spdlog::info("port \"{}\": the modem on {} offers classes {}; using Class {}", port_.name,
                 port_.device.string(), offered_, pick);
    picked_ = pick;  // the driver takes over at the next poll()
    return s;
}

void ModemPortDevice::on_unavailable(const std::string& why) {
    if (unavailable_ != why)
        spdlog::warn(
            "port \"{}\": unavailable: {}; trying again in {} s", port_.name, why,
            std::chrono::duration_cast<std::chrono::seconds>(probe_config_.retry_delay).count());
    unavailable_ = why;
}

void ModemPortDevice::make_driver(const std::string& fax_class) {
    chosen_ = fax_class;
    if (fax_class == "1") {
        Class1DeviceConfig c;
        c.device = port_.device;
        c.baud = port_.baud;
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
        c.baud = port_.baud;
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

}  // namespace faxemu
