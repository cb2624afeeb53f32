// Inbound routing of received faxes, apart from the daemon that wires it: the
// methods enabled on a fax's port are stored with the fax when its reception
// ends, each runs on the worker pool (never on the io thread), its outcome is
// stored, and a failed one is tried again after [routing] retry_delay up to
// max_tries, also after a restart (the store keeps when the next try is due).
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/routing_runner.hpp"
#include "core/sqlite_store.hpp"
#include "core/worker_pool.hpp"
#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

class RoutingQueue {
  public:
    // Told on the io thread whenever a fax's routing outcome changes.
    using Changed = std::function<void(const ReceivedFax& fax)>;

    // `config` is read at each try (a reload may change the retries).
    RoutingQueue(asio::io_context& io, const Clock& clock, SqliteStore& store,
                 RoutingRunner& router, WorkerPool& workers, const FaxServer& server,
                 const Config& config, Changed changed);

    // The routing methods enabled on the fax's port, as rows to store with it.
    void plan(ReceivedFax& fax) const;
    // Runs every planned method (on the io thread).
    void start(const ReceivedFax& fax);
    // At start: the methods of a received fax that had not finished when faxd
    // stopped go on when their next try is due.
    void resume(const ReceivedFax& fax);
    // Retries due from now on do not run: faxd is stopping.
    void stop() { stopping_ = true; }

  private:
    void run(std::int64_t fax_id, std::size_t index);
    void schedule_retry(std::int64_t fax_id, std::size_t index, TimePoint when);

    asio::io_context& io_;
    const Clock& clock_;
    SqliteStore& store_;
    RoutingRunner& router_;
    WorkerPool& workers_;
    const FaxServer& server_;
    const Config& config_;
    Changed changed_;
    bool stopping_ = false;
};

}  // namespace faxemu::faxd
