// The device behind a port of kind "modem": a Class 1 or Class 2/2.0 driver on a
// serial line. With modem_class "auto" the modem is probed first (+FCLASS=?) on a
// ModemLine of its own, and the best class it offers is used: Class 1 (T.30 runs
// here, on spandsp, with ECM and MMR whatever the modem), then 2.0, then 2. The
// class chosen and the modem found are shown on the port (Port::device_description).
// Both drivers report health() the same way (their ModemLine's), so this device
// reads it through Device.
#pragma once

#include <asio/io_context.hpp>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "devices/modem_port/modem_port_config.hpp"
#include "devices/serial/modem_line.hpp"

namespace faxemu {

class ModemPortDevice final : public Device, private ModemLineUser {
  public:
    // Throws std::runtime_error naming the port and the key for a bad quirk setting.
    ModemPortDevice(asio::io_context& io, const Clock& clock, ModemPortConfig port);
    ~ModemPortDevice() override;

    std::string kind() const override;
    void set_listener(DeviceListener* listener) override;
    void dial(const OutboundCall& call) override;
    void answer(const InboundCall& call) override;
    void hangup() override;
    bool idle() const override;
    std::uint64_t call_progress() const override { return driver_ ? driver_->call_progress() : 0; }
    void poll() override;
    DeviceHealth health() const override;

    // "1", "2" or "2.0" once known; empty while an auto port is still probing.
    const std::string& fax_class() const { return chosen_; }
    Device* driver() { return driver_.get(); }

  private:
    // ModemLineUser (the auto probe)
    ModemSetup setup(const ModemIdentity& identity) override;
    void on_unavailable(const std::string& why) override;
    bool call_idle() const override { return false; }

    void make_driver(const std::string& fax_class);

    asio::io_context& io_;
    const Clock& clock_;
    ModemPortConfig port_;
    DeviceListener* listener_ = nullptr;
    std::string chosen_;
    std::string offered_;  // what +FCLASS=? listed (auto)
    std::unique_ptr<Device> driver_;
    // The auto probe: dropped once the class is known.
    ModemLineConfig probe_config_;
    std::string picked_;
    std::string unavailable_;
    std::unique_ptr<ModemLine> probe_;
};

}  // namespace faxemu
