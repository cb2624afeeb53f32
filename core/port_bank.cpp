#include "core/port_bank.hpp"

#include "core/error.hpp"

namespace faxemu {

PortBank::PortBank(FaxServer& server, const Clock& clock, std::filesystem::path spool_dir,
                   FileModes modes)
    : server_(server), clock_(clock), spool_(std::move(spool_dir)), modes_(modes) {}

PortController& PortBank::attach(Port& port, Device& device) {
    controllers_.push_back(
        std::make_unique<PortController>(port, device, clock_, spool_ / "received", *this, modes_));
    by_device_.insert_or_assign(port.DeviceId(), controllers_.back().get());
    return *controllers_.back();
}

void PortBank::detach(std::int32_t device_id) {
    by_device_.erase(device_id);
    std::erase_if(controllers_, [&](const auto& c) { return c->port().DeviceId() == device_id; });
}

void PortBank::call_started(const CallRecord& rec) {
    if (observer_) observer_->call_started(rec);
}

void PortBank::call_progress(const CallRecord& rec, const SessionEvent& e) {
    if (observer_) observer_->call_progress(rec, e);
}

void PortBank::call_ended(const CallRecord& rec) {
    if (observer_) observer_->call_ended(rec);
    if (on_call_ended_) on_call_ended_(rec);
}

bool PortBank::can_send(std::int32_t device_id) {
    return controller(device_id).can_send();
}

void PortBank::send_on(std::int32_t device_id, const SendRequest& request) {
    controller(device_id).send(request, server_.settings().use_device_tsid);
}

PortController& PortBank::controller(std::int32_t device_id) {
    if (const auto it = by_device_.find(device_id); it != by_device_.end()) return *it->second;
    throw FaxError(ErrorCode::NotFound, "no port with DeviceId " + std::to_string(device_id));
}

void PortBank::poll() {
    for (auto& c : controllers_) c->poll(status_linger, call_stall_timeout);
}

bool PortBank::idle() const {
    for (const auto& c : controllers_)
        if (c->busy()) return false;
    return true;
}

}  // namespace faxemu
