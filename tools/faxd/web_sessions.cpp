#include "tools/faxd/web_sessions.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace faxemu::faxd {

std::string random_token() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char hex[2 * sizeof bytes + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

WebSession WebSessions::open(RpcServer::Session session) {
    WebSession s{random_token(), random_token(), std::move(session),
                 std::chrono::steady_clock::now()};
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= max_sessions_) {
        const auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
        sessions_.erase(oldest);
    }
    sessions_[s.token] = s;
    return s;
}

std::optional<WebSession> WebSessions::use(const std::string& token) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(token);
    if (it == sessions_.end()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    if (now - it->second.last_used > idle_) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_used = now;
    return it->second;
}

std::optional<WebSession> WebSessions::peek(const std::string& token) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(token);
    if (it == sessions_.end() || std::chrono::steady_clock::now() - it->second.last_used > idle_)
        return std::nullopt;
    return it->second;
}

std::optional<std::string> WebSessions::close(const std::string& token) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(token);
    if (it == sessions_.end()) return std::nullopt;
    std::string key = it->second.key();
    sessions_.erase(it);
    return key;
}

std::vector<std::string> WebSessions::expire() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> keys;
    std::erase_if(sessions_, [&](const auto& entry) {
        if (now - entry.second.last_used <= idle_) return false;
        keys.push_back(entry.second.key());
        return true;
    });
    return keys;
}

}  // namespace faxemu::faxd
