// The Class 1 setup of the virtual-time rig (tests/support/virtual_time_rig.hpp):
// Class1Devices, each on a virtual Class 1 modem on the exchange. Only how a
// driver and its modem are made lives here; stepping, settling and recording
// are the rig's.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "devices/class1/class1_device.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "tests/support/fax_document.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/virtual_time_rig.hpp"

namespace faxemu::test {

class Class1Rig : public VirtualTimeRig {
  public:
    using Modem = RigModem<Class1Device, Class1Engine>;

    // A Class 1 modem on the exchange under `number`, with a Class1Device on its pty.
    Modem& add_modem(const std::string& number, Class1Options options = {},
                     Class1DriverQuirks quirks = {}) {
        Class1DeviceConfig cfg;
        cfg.quirks = quirks;
        cfg.name = "Class 1 modem " + number;
        return VirtualTimeRig::add_modem<Class1Device>(
            std::make_unique<Class1Engine>(exchange, number, std::move(options)), std::move(cfg));
    }

    bool bring_up(Duration limit = std::chrono::seconds(10)) {
        return VirtualTimeRig::bring_up(limit);
    }
};

}  // namespace faxemu::test
