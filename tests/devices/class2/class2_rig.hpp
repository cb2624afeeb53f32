// The Class 2 setup of the virtual-time rig (tests/support/virtual_time_rig.hpp):
// a Class2Device on a virtual Class 2/2.0 modem at kModemNumber, and a simulated
// fax port at kFarNumber as the far end. Only how the driver and its modem are
// made lives here; stepping, settling and recording are the rig's.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/class2/class2_device.hpp"
#include "devices/virtual_class2/class2_engine.hpp"
#include "tests/support/fax_document.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/virtual_time_rig.hpp"

namespace faxemu::test {

inline constexpr const char* kModemNumber = "5550100";
inline constexpr const char* kFarNumber = "5550200";

class Class2Rig : public VirtualTimeRig {
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
        : far_end_(exchange, kFarNumber),
          modem_(add_modem<Class2Device>(make(exchange), with_trace(std::move(config)))),
          engine_(dynamic_cast<Class2Engine*>(modem_.engine)) {}

    bool bring_up(Duration limit = std::chrono::seconds(30)) {
        return VirtualTimeRig::bring_up(limit);
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
        VirtualTimeRig::unplug(modem_);
        engine_ = nullptr;
    }

    std::vector<std::string> trace;

  private:
    Class2DeviceConfig with_trace(Class2DeviceConfig config) {
        if (config.name.empty()) config.name = "Class 2 modem " + std::string(kModemNumber);
        config.trace = [this](const std::string& t) { trace.push_back(t); };
        return config;
    }

    SimulatedEnd far_end_;
    RigModem<Class2Device>& modem_;
    Class2Engine* engine_;

  public:
    SimulatedDevice& far = far_end_.device;
    DeviceRecorder& far_host = far_end_.listener;
    std::unique_ptr<Class2Device>& device = modem_.device;
    DeviceRecorder& host = modem_.listener;
};

inline SessionConfig session(const std::string& ident, int modulations = kAllModulations,
                             bool ecm = true, int codings = kAllCodings) {
    SessionConfig s;
    s.local_ident = ident;
    s.modulations = modulations;
    s.ecm = ecm;
    s.codings = codings;
    return s;
}

}  // namespace faxemu::test
