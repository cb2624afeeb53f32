// The web console's logged-in browsers: a random session token (the cookie)
// and a CSRF token each, with the control protocol's session (user, role,
// rights) that its calls run as. Read by the HTTP listener's thread and the
// WebSocket upgrade, written by the io thread at login: guarded by a mutex.
//
// A session ends at logout, or when unused for `idle` (faxd chooses 8 hours:
// a working day); the oldest goes when `max_sessions` are open, so that
// logins cannot make faxd hold unbounded memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/rpc_server.hpp"

namespace faxemu::faxd {

struct WebSession {
    std::string token;  // the cookie's value
    std::string csrf;   // what each POST's X-CSRF-Token must be
    RpcServer::Session session;
    std::chrono::steady_clock::time_point last_used;
    // The key its WebSockets are known by (HttpListener): not the token, which
    // stays in this table only.
    std::string key() const { return std::to_string(session.id); }
};

class WebSessions {
  public:
    explicit WebSessions(std::chrono::seconds idle = std::chrono::hours(8),
                         std::size_t max_sessions = 1024)
        : idle_(idle), max_sessions_(max_sessions) {}

    // A new session for an authenticated user, with fresh random tokens.
    WebSession open(RpcServer::Session session);
    // The session of `token` if it is open and not idle too long; marks it used.
    std::optional<WebSession> use(const std::string& token);
    // The session of `token` without marking it used.
    std::optional<WebSession> peek(const std::string& token);
    // Ends the session; its key, for closing its WebSockets, if it was open.
    std::optional<std::string> close(const std::string& token);
    // Ends the sessions idle too long; their keys.
    std::vector<std::string> expire();

  private:
    std::mutex mutex_;
    std::chrono::seconds idle_;
    std::size_t max_sessions_;
    std::map<std::string, WebSession> sessions_;  // by token
};

// 32 random bytes (libsodium) as hex: a session or CSRF token.
std::string random_token();

}  // namespace faxemu::faxd
