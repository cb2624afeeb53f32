// Publishes the ports' live status as it changes: port.status to the clients
// and the sending job's device status to the scheduler. Only the ports marked
// changed since the last publish (FaxServer::status_changes) are read, so an
// idle port costs nothing per tick; a port is published when what a client
// shows of it (status, description, page) differs from what it was last sent.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/scheduler.hpp"

namespace faxemu::faxd {

class StatusPublisher {
  public:
    // The job a port is sending for, if any (faxd's calls in progress).
    using JobOnPort = std::function<std::optional<std::int64_t>(std::int32_t device_id)>;
    using Notify = std::function<void(const std::string& method, const nlohmann::json& params)>;

    StatusPublisher(FaxServer& server, const Clock& clock, Scheduler& scheduler, JobOnPort job_on,
                    Notify notify);

    void publish();
    // A removed port: nothing of it is kept.
    void forget(std::int32_t device_id) { published_.erase(device_id); }
    // A changed port: clients get its status again at the next publish().
    void republish(Port& port);
    // Ports read by publish() since the start: what a tick costs.
    std::uint64_t visited() const { return visited_; }

  private:
    FaxServer& server_;
    const Clock& clock_;
    Scheduler& scheduler_;
    JobOnPort job_on_;
    Notify notify_;
    std::map<std::int32_t, std::string> published_;  // last status pushed per port
    std::uint64_t visited_ = 0;
};

}  // namespace faxemu::faxd
