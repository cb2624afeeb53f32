#include "core/port.hpp"

#include <utility>

#include "core/error.hpp"

namespace faxemu {

Port::Port(std::int32_t device_id, std::string name, std::string phone_number,
           std::int32_t priority, const ProgramAllowList* programs, const DriveMap* drives)
    : number(std::move(phone_number)),
      device_id_(device_id),
      name_(std::move(name)),
      priority_(priority) {
    for (const auto& info : standard_routing_methods()) {
        routing_methods_.push_back(std::make_unique<RoutingMethod>(
            info, device_id_, name_, [this] { notify_changed(); }, programs, drives));
    }
    status_.device_id = device_id_;
    status_.device_name = name_;
}

std::int32_t Port::Rings() const {
    std::lock_guard lock(mutex_);
    return rings_;
}
std::string Port::Csid() const {
    std::lock_guard lock(mutex_);
    return csid_;
}
std::string Port::Tsid() const {
    std::lock_guard lock(mutex_);
    return tsid_;
}
bool Port::Send() const {
    std::lock_guard lock(mutex_);
    return send_;
}
bool Port::Receive() const {
    std::lock_guard lock(mutex_);
    return receive_;
}
std::int32_t Port::Priority() const {
    std::lock_guard lock(mutex_);
    return priority_;
}

template <typename T>
void Port::assign(T& field, T value) {
    {
        std::lock_guard lock(mutex_);
        if (field == value) return;
        field = std::move(value);
    }
    notify_changed();
}

void Port::put_Rings(const CallerRights& caller, std::int32_t rings) {
    require(caller, access::PortSet, "setting Rings on port " + name_);
    // The VB documentation says 1-99; FAX_PORT_INFO's 0 would mean "never
    // answer", which Receive=false already expresses.
    if (rings < kMinRings || rings > kMaxRings)
        throw FaxError(ErrorCode::InvalidParameter,
                       "port " + name_ + ": Rings must be 1..99, got " + std::to_string(rings));
    assign(rings_, rings);
}

void Port::validate_station_id(std::string_view id, std::string_view what,
                               std::string_view port_name) {
    const auto prefix = "port " + std::string(port_name) + ": " + std::string(what);
    // faxcom's service silently stripped and truncated; we refuse instead, so a
    // legacy client learns that the id it set is not the one callers would see.
    if (id.size() > kMaxStationIdLength)
        throw FaxError(ErrorCode::InvalidParameter, prefix + " is " + std::to_string(id.size()) +
                                                        " characters; T.30 allows at most 20");
    for (std::size_t i = 0; i < id.size(); ++i) {
        const auto c = static_cast<unsigned char>(id[i]);
        if (c < 0x20 || c > 0x7e)
            throw FaxError(ErrorCode::InvalidParameter,
                           prefix + " has a non-printable or non-ASCII character at position " +
                               std::to_string(i + 1) + "; only ASCII 0x20-0x7E is allowed");
    }
}

void Port::put_Csid(const CallerRights& caller, std::string csid) {
    require(caller, access::PortSet, "setting Csid on port " + name_);
    validate_station_id(csid, "Csid", name_);
    assign(csid_, std::move(csid));
}

void Port::put_Tsid(const CallerRights& caller, std::string tsid) {
    require(caller, access::PortSet, "setting Tsid on port " + name_);
    validate_station_id(tsid, "Tsid", name_);
    assign(tsid_, std::move(tsid));
}

void Port::put_Send(const CallerRights& caller, bool send) {
    require(caller, access::PortSet, "setting Send on port " + name_);
    assign(send_, send);
}

void Port::put_Receive(const CallerRights& caller, bool receive) {
    require(caller, access::PortSet, "setting Receive on port " + name_);
    assign(receive_, receive);
}

std::vector<RoutingMethod*> Port::GetRoutingMethods() {
    std::vector<RoutingMethod*> out;
    for (auto& m : routing_methods_) out.push_back(m.get());
    return out;
}

std::vector<const RoutingMethod*> Port::GetRoutingMethods() const {
    std::vector<const RoutingMethod*> out;
    for (const auto& m : routing_methods_) out.push_back(m.get());
    return out;
}

RoutingMethod* Port::routing_method(std::string_view guid) {
    const auto* info = find_routing_method(guid);
    if (info == nullptr) return nullptr;
    for (auto& m : routing_methods_) {
        if (&m->info() == info) return m.get();
    }
    return nullptr;
}

std::string Port::device_description() const {
    std::lock_guard lock(status_mutex_);
    return device_description_;
}

void Port::set_device_description(std::string text) {
    std::lock_guard lock(status_mutex_);
    device_description_ = std::move(text);
}

PortStatus Port::GetStatus(const Clock& clock) const {
    PortStatus snapshot;
    {
        std::lock_guard lock(status_mutex_);
        snapshot = status_;
    }
    snapshot.elapsed_time = Duration::zero();
    if (snapshot.start_time != TimePoint{}) {
        const auto elapsed = clock.now() - snapshot.start_time;
        if (elapsed > Duration::zero()) snapshot.elapsed_time = elapsed;
    }
    return snapshot;
}

void Port::update_status(const std::function<void(PortStatus&)>& edit) {
    std::lock_guard lock(status_mutex_);
    edit(status_);
    status_.device_id = device_id_;
    status_.device_name = name_;
    if (status_changes_) status_changes_->mark(this);
}

void Port::report_status_changes(PortStatusChanges* changes) {
    std::lock_guard lock(status_mutex_);
    if (status_changes_ && status_changes_ != changes) status_changes_->forget(this);
    status_changes_ = changes;
    if (changes) changes->mark(this);
}

void Port::on_changed(std::function<void(const Port&)> listener) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

void Port::notify_changed() {
    std::vector<std::function<void(const Port&)>> listeners;
    {
        std::lock_guard lock(mutex_);
        listeners = listeners_;
    }
    // Outside the lock, so a listener may read the port's settings.
    for (const auto& listener : listeners) listener(*this);
}

}  // namespace faxemu
