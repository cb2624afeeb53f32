#include "core/fax_server.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/refusal.hpp"

namespace faxemu {

namespace {

void check_range(std::string_view name, long value, long low, long high) {
    if (value < low || value > high)
        throw FaxError(ErrorCode::InvalidParameter,
                       "server setting " + std::string(name) + " must be " + std::to_string(low) +
                           ".." + std::to_string(high) + ", got " + std::to_string(value));
}

// Limits: PATH_MAX-1 for a directory; a profile name gets what names get elsewhere.
constexpr std::size_t kMaxDirectory = 4095;
constexpr std::size_t kMaxProfile = 256;

// Directory and profile names reach file APIs and programs: one line, bounded.
void check_text(std::string_view name, std::string_view value, std::size_t max_chars) {
    const std::string problem = one_line_problem(value, max_chars);
    if (!problem.empty())
        throw FaxError(ErrorCode::InvalidParameter,
                       "server setting " + std::string(name) + " " + problem);
}

}  // namespace

void validate(const ServerSettings& s) {
    check_range("Retries", s.retries, 0, 99);
    check_range("RetryDelay", s.retry_delay, 0, 1440);
    check_range("DirtyDays", s.dirty_days, 0, 3650);
    check_range("DiscountRateStartHour", s.discount_rate_start_hour, 0, 23);
    check_range("DiscountRateStartMinute", s.discount_rate_start_minute, 0, 59);
    check_range("DiscountRateEndHour", s.discount_rate_end_hour, 0, 23);
    check_range("DiscountRateEndMinute", s.discount_rate_end_minute, 0, 59);
    check_text("ArchiveDirectory", s.archive_directory, kMaxDirectory);
    check_text("ServerMapiProfile", s.server_mapi_profile, kMaxProfile);
    // faxcom: a fully qualified directory. A relative one would be created
    // wherever faxd happened to be started.
    if (!s.archive_directory.empty() && !std::filesystem::path(s.archive_directory).is_absolute())
        throw FaxError(ErrorCode::InvalidParameter,
                       "server setting ArchiveDirectory must be an absolute path, not " +
                           quoted_excerpt(s.archive_directory));
    if (s.archive_outbound_faxes && s.archive_directory.empty())
        throw FaxError(
            ErrorCode::InvalidParameter,
            "server setting ArchiveDirectory is required when ArchiveOutboundFaxes is on");
}

ServerSettings FaxServer::settings() const {
    std::lock_guard lock(settings_mutex_);
    return settings_;
}

void FaxServer::set_settings(const CallerRights& caller, ServerSettings settings) {
    require(caller, access::ConfigSet, "changing the server settings");
    // faxcom's ArchiveDirectory is a folder of the (Windows) server: a Windows
    // path is stored as the local folder the drive map makes of it, or refused.
    std::string why;
    std::string local =
        drives_.to_local(settings.archive_directory, "server setting ArchiveDirectory", why);
    if (!why.empty()) throw Refusal(ErrorCode::InvalidParameter, why, reason::kWindowsPath);
    settings.archive_directory = std::move(local);
    validate(settings);
    std::lock_guard lock(settings_mutex_);
    settings_ = std::move(settings);
}

bool FaxServer::in_discount_period(std::chrono::hh_mm_ss<std::chrono::seconds> local_time) const {
    using std::chrono::hours;
    using std::chrono::minutes;
    const auto s = settings();
    const auto start = hours{s.discount_rate_start_hour} + minutes{s.discount_rate_start_minute};
    const auto end = hours{s.discount_rate_end_hour} + minutes{s.discount_rate_end_minute};
    const auto t = local_time.to_duration();
    if (start == end) return true;
    if (start < end) return t >= start && t < end;
    return t >= start || t < end;  // wraps past midnight
}

void FaxServer::check_number_free(const std::string& name, const std::string& number,
                                  const Port* self) const {
    if (number.empty()) return;
    if (const Port* other = find_port_by_number(number); other && other != self)
        throw FaxError(
            ErrorCode::InvalidParameter,
            "port " + name + ": number " + number + " is already used by port " + other->Name());
}

Port& FaxServer::add_port(std::string name, std::string number) {
    check_number_free(name, number, nullptr);
    std::lock_guard lock(ports_mutex_);
    const auto n = static_cast<std::int32_t>(ports_.size()) + 1;
    ports_.push_back(std::make_unique<Port>(next_id_++, std::move(name), std::move(number), n,
                                            &programs_, &drives_));
    ports_.back()->report_status_changes(&status_changes_);
    return *ports_.back();
}

void FaxServer::remove_port(std::int32_t device_id) {
    std::vector<Port*> moved;
    {
        std::lock_guard priority_lock(priority_mutex_);
        std::lock_guard lock(ports_mutex_);
        const auto it = std::find_if(ports_.begin(), ports_.end(),
                                     [&](const auto& p) { return p->DeviceId() == device_id; });
        if (it == ports_.end())
            throw FaxError(ErrorCode::NotFound,
                           "no port with DeviceId " + std::to_string(device_id));
        const std::int32_t rank = (*it)->Priority();
        (*it)->report_status_changes(nullptr);
        removed_.push_back(std::move(*it));
        ports_.erase(it);
        for (const auto& p : ports_) {
            std::lock_guard port_lock(p->mutex_);
            if (p->priority_ > rank) {
                --p->priority_;
                moved.push_back(p.get());
            }
        }
    }
    for (Port* p : moved) p->notify_changed();
}

void FaxServer::set_port_number(std::int32_t device_id, std::string number) {
    Port& p = port(device_id);
    check_number_free(p.Name(), number, &p);
    p.number = std::move(number);
}

std::vector<Port*> FaxServer::ports() const {
    std::lock_guard lock(ports_mutex_);
    std::vector<Port*> out;
    for (const auto& p : ports_) out.push_back(p.get());
    return out;
}

Port& FaxServer::port(std::int32_t device_id) const {
    std::lock_guard lock(ports_mutex_);
    for (const auto& p : ports_)
        if (p->DeviceId() == device_id) return *p;
    throw FaxError(ErrorCode::NotFound, "no port with DeviceId " + std::to_string(device_id));
}

Port* FaxServer::find_port_by_number(std::string_view number) const {
    std::lock_guard lock(ports_mutex_);
    for (const auto& p : ports_) {
        if (p->number == number) return p.get();
    }
    return nullptr;
}

void FaxServer::set_port_priority(const CallerRights& caller, std::int32_t device_id,
                                  std::int32_t priority) {
    Port& moved = port(device_id);
    require(caller, access::PortSet, "setting Priority on port " + moved.Name());
    const auto n = static_cast<std::int32_t>(ports().size());
    if (priority < 1 || priority > n)
        throw FaxError(ErrorCode::InvalidParameter,
                       "port " + moved.Name() + ": Priority must be 1.." + std::to_string(n) +
                           ", got " + std::to_string(priority));
    std::vector<std::pair<Port*, std::int32_t>> updates;
    {
        std::lock_guard lock(priority_mutex_);
        std::lock_guard list_lock(ports_mutex_);
        const auto old = moved.Priority();
        if (old == priority) return;
        for (const auto& p : ports_) {
            const auto r = p->Priority();
            if (p.get() == &moved) {
                updates.emplace_back(p.get(), priority);
            } else if (priority < old && r >= priority && r < old) {
                updates.emplace_back(p.get(), r + 1);
            } else if (priority > old && r > old && r <= priority) {
                updates.emplace_back(p.get(), r - 1);
            }
        }
        for (auto& [p, r] : updates) {
            std::lock_guard port_lock(p->mutex_);
            p->priority_ = r;
        }
    }
    // Listeners run outside the server lock; every port in `updates` changed.
    for (auto& update : updates) update.first->notify_changed();
}

std::vector<Port*> FaxServer::ports_by_priority() const {
    std::lock_guard lock(priority_mutex_);
    auto out = ports();
    std::sort(out.begin(), out.end(),
              [](const Port* a, const Port* b) { return a->Priority() < b->Priority(); });
    return out;
}

}  // namespace faxemu
