// Sends a request at once, for the simulated site, the tests and the benchmark:
// it becomes a job in its own queue (no retries) and goes on the port that
// Scheduler::next picks, so "which port sends next" is faxd's rule, kept in one
// place. The queue's store is a file in the spool.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>

#include "core/port_bank.hpp"
#include "core/scheduler.hpp"
#include "core/sqlite_store.hpp"

namespace faxemu {

class OneShotQueue final : public CallObserver {
  public:
    // Takes the bank's observer slot; `bank` and `server` must outlive the queue.
    OneShotQueue(FaxServer& server, PortBank& bank, const Clock& clock,
                 const std::filesystem::path& queue_db);
    ~OneShotQueue() override;
    OneShotQueue(const OneShotQueue&) = delete;
    OneShotQueue& operator=(const OneShotQueue&) = delete;

    // Starts the request on the port the Scheduler picks and returns its
    // DeviceId. Throws DeviceInUse when no port may take it now (the job is
    // then deleted).
    std::int32_t send(const SendRequest& request);

    Scheduler& scheduler() { return scheduler_; }

  private:
    void call_ended(const CallRecord& rec) override;

    PortBank& bank_;
    SqliteStore store_;
    Scheduler scheduler_;
    std::map<std::int32_t, std::int64_t> sending_;  // DeviceId -> job id
};

}  // namespace faxemu
