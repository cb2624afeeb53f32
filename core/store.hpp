// The durable state of a faxd: jobs and their attempts, received faxes and
// their routing outcomes, and the settings changed through the API. Every call
// that returns has committed (a crash after it loses nothing). Behind this one
// interface so a site that outgrows one host can move the queue to PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/fax_server.hpp"
#include "core/job.hpp"
#include "core/received_fax.hpp"

namespace faxemu {

struct RoutingSetting {
    std::string guid;
    bool enabled = false;
    std::string data;
};

// The IFaxPort settings a client can change, saved per port name (DeviceIds
// are not stable across configurations; names are).
struct PortSettings {
    std::string name;
    std::int32_t rings = 2;
    std::string csid;
    std::string tsid;
    bool send = true;
    bool receive = false;
    std::int32_t priority = 1;
    std::vector<RoutingSetting> routing;
};

class Store {
  public:
    virtual ~Store() = default;

    // Jobs. add_job assigns the id and returns it: an id is reused only once
    // its job is gone (deleted or purged); jobs() lists in submit order.
    virtual std::int64_t add_job(const Job& job) = 0;
    virtual void update_job(const Job& job) = 0;
    virtual std::optional<Job> job(std::int64_t id) const = 0;
    virtual std::vector<Job> jobs() const = 0;  // in submit order
    virtual void delete_job(std::int64_t id) = 0;
    // Deletes jobs in a final state that finished before `cutoff`; returns how many.
    virtual int purge_finished_before(TimePoint cutoff) = 0;

    virtual void add_attempt(const Attempt& attempt) = 0;
    virtual void update_attempt(const Attempt& attempt) = 0;  // by (job_id, number)
    // The job and its attempt in one transaction: a crash sees both or neither
    // (an attempt's end and the job's verdict must agree).
    virtual void update_job_and_attempt(const Job& job, const Attempt& attempt) = 0;
    // Each job updated and its new attempt added, all in one transaction: the
    // attempts a dispatch round starts cost one sync to disk, not one each.
    virtual void start_attempts(const std::vector<std::pair<Job, Attempt>>& starts) = 0;
    virtual std::vector<Attempt> attempts(std::int64_t job_id) const = 0;

    // Received faxes.
    virtual std::int64_t add_received(const ReceivedFax& fax) = 0;
    virtual void update_received(const ReceivedFax& fax) = 0;
    virtual std::optional<ReceivedFax> received(std::int64_t id) const = 0;
    virtual std::vector<ReceivedFax> received_faxes() const = 0;  // by id
    // Removes a received fax's record and its routing outcomes (not its file).
    virtual void delete_received(std::int64_t id) = 0;

    // Settings changed through the API; applied over the config at start.
    virtual void save_port_settings(const PortSettings& settings) = 0;
    virtual std::vector<PortSettings> port_settings() const = 0;
    virtual void save_server_settings(const ServerSettings& settings) = 0;
    virtual std::optional<ServerSettings> server_settings() const = 0;
};

}  // namespace faxemu
