#include "core/login_backoff.hpp"

#include <algorithm>

namespace faxemu {

namespace {

std::string address_key(const std::string& address) {
    return "address " + address;
}

std::string user_key(const std::string& user) {
    return "user " + user;
}

}  // namespace

std::optional<LoginBackoff::Clock::duration> LoginBackoff::wait_left(
    const std::string& address, const std::string& user) const {
    const auto now = Clock::now();
    std::optional<Clock::duration> longest;
    for (const auto& key : {address_key(address), user_key(user)}) {
        const auto it = failures_.find(key);
        if (it == failures_.end() || it->second.wait_until <= now) continue;
        longest = std::max(longest.value_or(Clock::duration::zero()), it->second.wait_until - now);
    }
    return longest;
}

void LoginBackoff::failed(const std::string& address, const std::string& user) {
    failed(address_key(address));
    failed(user_key(user));
}

void LoginBackoff::succeeded(const std::string& address, const std::string& user) {
    failures_.erase(address_key(address));
    failures_.erase(user_key(user));
}

void LoginBackoff::failed(const std::string& key) {
    const auto now = Clock::now();
    forget_old_failures(now);
    Failures& f = failures_[key];
    if (f.count > 0 && now - f.last > policy_.forget) f = Failures{};
    f.count += 1;
    f.last = now;
    const int over = f.count - policy_.free_failures;
    if (over <= 0) return;
    auto wait = policy_.backoff;
    for (int i = 1; i < over && wait < policy_.backoff_max; ++i) wait *= 2;
    f.wait_until = now + std::min(wait, policy_.backoff_max);
}

// Keeps the table small when someone tries many names or addresses.
void LoginBackoff::forget_old_failures(Clock::time_point now) {
    constexpr std::size_t kMaxEntries = 10000;
    if (failures_.size() < kMaxEntries) return;
    std::erase_if(failures_, [&](const auto& entry) {
        return now - entry.second.last > policy_.forget && entry.second.wait_until <= now;
    });
    while (failures_.size() >= kMaxEntries) {
        const auto oldest = std::min_element(
            failures_.begin(), failures_.end(),
            [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
        failures_.erase(oldest);
    }
}

}  // namespace faxemu
