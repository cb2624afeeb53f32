// The devices behind the FaxServer's ports: one PortController per port, which
// answers and runs the port's calls. It starts a send on the port it is given
// (which port is the Scheduler's choice), polls the controllers and reports
// every call's events and end. Runs on the thread that drives the devices.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/file_modes.hpp"
#include "core/port_controller.hpp"

namespace faxemu {

class PortBank final : public CallObserver {
  public:
    using CallEnded = std::function<void(const CallRecord&)>;

    // Received faxes go to spool_dir/received, created with `modes`.
    PortBank(FaxServer& server, const Clock& clock, std::filesystem::path spool_dir,
             FileModes modes = {});

    FaxServer& server() { return server_; }
    const std::filesystem::path& spool_dir() const { return spool_; }

    // Puts `device` behind `port`; both must outlive the bank.
    PortController& attach(Port& port, Device& device);
    // Takes the device from behind the port (it must be idle); its controller
    // goes, the device may then be destroyed.
    void detach(std::int32_t device_id);
    PortController& controller(std::int32_t device_id);

    // Starts a send on this port (the caller chose it). Throws DeviceInUse if it is not free.
    void send_on(std::int32_t device_id, const SendRequest& request);
    bool can_send(std::int32_t device_id);

    void on_call_ended(CallEnded handler) { on_call_ended_ = std::move(handler); }
    // For a server that follows every call closely (faxd); called before on_call_ended.
    void set_observer(CallObserver* observer) { observer_ = observer; }
    // Call once per tick of the loop that drives the devices.
    void poll();
    bool idle() const;

    // How long a finished call's outcome stays on the port's status.
    Duration status_linger = std::chrono::seconds(5);
    // A connected call that moves nothing for this long is hung up (zero: never).
    Duration call_stall_timeout = std::chrono::seconds(120);

  private:
    void call_started(const CallRecord& rec) override;
    void call_progress(const CallRecord& rec, const SessionEvent& e) override;
    void call_ended(const CallRecord& rec) override;

    FaxServer& server_;
    const Clock& clock_;
    std::filesystem::path spool_;
    FileModes modes_;
    std::vector<std::unique_ptr<PortController>> controllers_;
    // controller() by device id: dispatch asks it of every port each round.
    std::unordered_map<std::int32_t, PortController*> by_device_;
    CallEnded on_call_ended_;
    CallObserver* observer_ = nullptr;
};

}  // namespace faxemu
