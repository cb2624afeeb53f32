// The login back-off of faxd's logins (the control protocol's session.login
// and the web console's POST /api/login): failed logins counted per client
// address and per user name (known or not), so that both transports share one
// count and guessing through one does not reset the other.
//
// After `free_failures` failures in a row, each further attempt within a wait
// is refused without a password check; the wait starts at `backoff` and
// doubles per failure up to `backoff_max`. A success clears both counts;
// failures older than `forget` are forgotten. Not thread-safe: its owner
// (RpcServer) touches it on its io thread only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace faxemu {

class LoginBackoff {
  public:
    using Clock = std::chrono::steady_clock;

    struct Policy {
        int free_failures = 3;
        std::chrono::milliseconds backoff = std::chrono::seconds(1);
        std::chrono::milliseconds backoff_max = std::chrono::minutes(5);
        std::chrono::milliseconds forget = std::chrono::minutes(15);
    };

    explicit LoginBackoff(Policy policy) : policy_(policy) {}

    // How long the longer of the two back-offs still runs, if either does.
    std::optional<Clock::duration> wait_left(const std::string& address,
                                             const std::string& user) const;
    void failed(const std::string& address, const std::string& user);
    void succeeded(const std::string& address, const std::string& user);

  private:
    struct Failures {
        int count = 0;
        Clock::time_point last{};
        Clock::time_point wait_until{};
    };

    void failed(const std::string& key);
    void forget_old_failures(Clock::time_point now);

    Policy policy_;
    std::map<std::string, Failures, std::less<>> failures_;  // "address X", "user Y"
};

}  // namespace faxemu
