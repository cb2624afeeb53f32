// What a modem port is told by whoever builds it (faxd's [[port]] of kind
// "modem"): the serial device, the fax class or "auto", and the quirk settings by
// name. Kept here, beside the device, so the devices do not read faxd's config.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "devices/class1/class1_quirks.hpp"
#include "devices/class2/class2_quirks.hpp"

namespace faxemu {

struct ModemPortConfig {
    std::string name;  // the port's, for messages
    std::filesystem::path device;
    std::string modem_class = "auto";  // "1", "2", "2.0", or "auto": the best the modem has
    unsigned baud = 115200;
    std::string flow_control = "xonxoff";          // "rtscts" or "none"
    std::filesystem::path lock_dir = "/var/lock";  // UUCP lock files (LCK..ttyS0)
    // Driver settings for modems' firmware bugs, by name (see fixtures/faxd.toml).
    std::map<std::string, std::string> quirks;
};

FlowControl flow_control_of(const std::string& name);

// Every quirk key must belong to Class 1 or Class 2 (an auto port may become
// either). Throws std::runtime_error naming the port and the key.
void check_quirk_keys(const ModemPortConfig& port);
// The quirks of one class from the port's settings (keys of the other class are
// left alone). Throws std::runtime_error naming the port and the key for a bad value.
Class1DriverQuirks class1_quirks(const ModemPortConfig& port);
Class2DriverQuirks class2_quirks(const ModemPortConfig& port);

}  // namespace faxemu
