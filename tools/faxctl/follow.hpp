// Following jobs to their end for `faxctl send --wait`. faxd tells every
// logged-in client about each job and port change; the follower listens from
// before the first job.submit, so a fast call's first pages are shown too,
// and asks job.get now and then in case faxd dropped notifications.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
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
    // Installs the client's notification handler; construct before submitting.
    explicit JobFollower(rpc::FaxClient& client);
    ~JobFollower();  // uninstalls the handler
    JobFollower(const JobFollower&) = delete;
    JobFollower& operator=(const JobFollower&) = delete;

    // Prints one line per change of each job (its queue status, the port's
    // description while it is on a port, its last error) until every job is
    // final; `json_output` prints each final job as JSON instead. True when all
    // completed.
    bool wait(std::vector<std::int64_t> jobs, bool json_output);

  private:
    using Event = std::pair<std::string, rpc::json>;
    struct Followed {
        rpc::json job;
        std::string port_description;  // while the job holds a port
        std::string printed;
    };

    void on_job(Followed& f, const rpc::json& job);
    void print_if_changed(std::int64_t id, Followed& f, bool json_output);

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
    std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
};

}  // namespace faxemu::faxctl
