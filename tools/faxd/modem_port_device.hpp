// The device behind a faxd port of kind "modem": a Class 1 or Class 2/2.0 driver
// on a serial line. With `class = "auto"` the modem is probed first (+FCLASS=?)
// and the best class it offers is used: Class 1 (T.30 runs here, on spandsp, with
// ECM and MMR whatever the modem), then 2.0, then 2. The class chosen and the
// modem found are shown on the port (Port::device_description).
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "tools/faxd/config.hpp"

namespace faxemu {
class SerialLine;
class AtChannel;
class ModemProbe;
class UucpLock;
}  // namespace faxemu

namespace faxemu::faxd {

class ModemPortDevice final : public Device {
  public:
    // Throws std::runtime_error naming the port and the key for a bad quirk setting.
    ModemPortDevice(asio::io_context& io, const Clock& clock, PortConfig port);
    ~ModemPortDevice() override;

    std::string kind() const override;
    void set_listener(DeviceListener* listener) override;
    void dial(const OutboundCall& call) override;
    void answer(const InboundCall& call) override;
    void hangup() override;
    bool idle() const override;
    void poll() override;
    DeviceHealth health() const override;

    // "1", "2" or "2.0" once known; empty while an auto port is still probing.
    const std::string& fax_class() const { return chosen_; }
    Device* driver() { return driver_.get(); }

  private:
    void start_probe();
    void probe_failed(const std::string& reason);
    void close_probe();
    void make_driver(const std::string& fax_class);

    asio::io_context& io_;
    const Clock& clock_;
    PortConfig port_;
    DeviceListener* listener_ = nullptr;
    std::string chosen_;
    std::string offered_;  // what +FCLASS=? listed (auto)
    std::unique_ptr<Device> driver_;
    // The auto probe.
    std::unique_ptr<UucpLock> lock_;
    std::unique_ptr<SerialLine> line_;
    std::unique_ptr<AtChannel> at_;
    std::unique_ptr<ModemProbe> probe_;
    std::string unavailable_;
    TimePoint retry_at_{};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faxemu::faxd
