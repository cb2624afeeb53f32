// Following jobs to their end for `faxctl send --wait`. faxd tells every
// logged-in client about each job and port change; the follower listens from
// before the first job.submit, so a fast call's first pages are shown too,
// and asks job.get now and then in case faxd dropped notifications. Each line
// starts with the time since the follower began ("[1:05]"); while a job is on
// a port it shows the port's progress and bit rate, while it waits to retry
// the next attempt's time and the last attempt's cause.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/protocol/client.hpp"

namespace faxemu::faxctl {

class JobFollower {
  public:
    using Now = std::function<std::chrono::steady_clock::time_point()>;

    // Installs the client's notification handler; construct before submitting.
    // Times are shown in UTC when `utc`, else local; `now` is the clock the
    // elapsed time is read from.
    explicit JobFollower(
        rpc::FaxClient& client, bool utc = false,
        Now now = [] { return std::chrono::steady_clock::now(); });
    ~JobFollower();  // uninstalls the handler
    JobFollower(const JobFollower&) = delete;
    JobFollower& operator=(const JobFollower&) = delete;

    // Prints one line per change of each job (its queue status, the port's
    // description and bit rate while it is on a port, its last error and next
    // attempt while it waits to retry) until every job is
    // final; `json_output` prints each final job as JSON instead. True when all
    // completed.
    bool wait(std::vector<std::int64_t> jobs, bool json_output);

  private:
    using Event = std::pair<std::string, rpc::json>;
    struct Followed {
        rpc::json job;
        std::string port_description;  // while the job holds a port
        int bit_rate = 0;              // the port's, while the job holds it
        std::string printed;           // the last line, without its elapsed time
    };

    void on_job(Followed& f, const rpc::json& job);
    void print_if_changed(std::int64_t id, Followed& f, bool json_output);
    // What the line says of the job, without the elapsed time.
    std::string describe(std::int64_t id, const Followed& f) const;
    std::string elapsed() const;  // "[1:05]", since construction

    // What the client's reader thread heard. Shared with the handler, which
    // the client may still call (it copies handlers out of its lock) after
    // this follower is gone: a late notification then lands here, never in
    // freed memory.
    struct Inbox {
        std::mutex mutex;
        std::condition_variable cv;
        std::deque<Event> events;
    };

    rpc::FaxClient& client_;
    bool utc_;
    Now now_;
    std::chrono::steady_clock::time_point start_;
    std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
};

}  // namespace faxemu::faxctl
