// faxd's outbound dispatch: gives the scheduler's next jobs to the free
// ports, stamps the page headers (branding) of an attempt on the worker pool
// while its port stays reserved, and starts the calls. It knows which job
// each port is sending, for the call's reports and the port's status. On the
// io thread.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/port_bank.hpp"
#include "core/scheduler.hpp"
#include "core/worker_pool.hpp"
#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

// How a job's document is named in what clients and logs see (never its file).
std::string document_name(std::int64_t job_id);

class Dispatcher {
  public:
    struct Parts {
        asio::io_context& io;
        const Clock& clock;
        FaxServer& server;
        PortBank& service;
        Scheduler& scheduler;
        WorkerPool& workers;
        const Config& config;            // its file mode, read at each branding
        std::filesystem::path work_dir;  // where branded copies are made
        // Whether a port may take new work (a reload drains some).
        std::function<bool(std::int32_t device_id)> port_open;
        // Hurries the pumps: an attempt ended before its call started.
        std::function<void()> wake;
    };
    explicit Dispatcher(Parts parts);
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // Starts every job the scheduler gives for the free ports.
    void dispatch();
    // faxd stops: nothing more is dispatched, brandings that end are dropped
    // (their jobs go back to the queue with recover()).
    void stop() { stopping_ = true; }

    // The scheduler's abort: a job deleted during its attempt. A call not yet
    // started (branding) ends before it dials; a call in progress is hung up.
    void abort(std::int64_t job_id, std::int32_t device_id);
    // The call on `device_id` ended: the job it sent, if one, which the port
    // no longer sends (its branded copy is removed).
    std::optional<std::int64_t> call_ended(std::int32_t device_id);

    // Device id -> id of the job its call sends.
    const std::map<std::int32_t, std::int64_t>& sending() const { return sending_; }
    std::optional<std::int64_t> job_on(std::int32_t device_id) const;
    // Whether the port is reserved for a job or sending one.
    bool busy(std::int32_t device_id) const {
        return branding_.count(device_id) || sending_.count(device_id);
    }

  private:
    // Branding: stamps the page headers of this attempt into a copy of the
    // job's document on the worker pool (the port stays reserved meanwhile),
    // then starts the call with that copy.
    void brand_then_call(const Job& job, std::int32_t device_id, SendRequest request);
    // The branding of job `id` for `device_id` ended (`error` if it failed).
    void branded(std::int64_t id, std::int32_t device_id, SendRequest request,
                 const std::filesystem::path& copy, const std::string& error, FailureClass failure);
    // Dials; an attempt that cannot start ends at once.
    void start_call(std::int64_t job_id, std::int32_t device_id, const SendRequest& request);
    void remove_branded_copy(std::int32_t device_id);

    Parts parts_;
    bool stopping_ = false;
    std::map<std::int32_t, std::int64_t> sending_;  // device id -> job id
    // Branding: ports reserved while a job's headers are stamped (device id ->
    // job id), jobs deleted meanwhile, and the stamped copy each port sends.
    std::map<std::int32_t, std::int64_t> branding_;
    std::set<std::int64_t> cancelled_while_branding_;
    std::map<std::int32_t, std::filesystem::path> branded_;
};

}  // namespace faxemu::faxd
