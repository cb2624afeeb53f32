// What a crash (or a kill) leaves behind, put right at start, before the
// control protocol listens: receptions cut off keep their whole pages and are
// routed, routing that had not finished goes on, and half-written copies and
// uploads nobody names are removed. Jobs in a call are requeued by the
// Scheduler itself (Scheduler::recover), conversions resumed by the Daemon.
#pragma once

#include <filesystem>

#include "core/clock.hpp"
#include "core/fax_server.hpp"
#include "core/sqlite_store.hpp"
#include "tools/faxd/config.hpp"
#include "tools/faxd/routing_queue.hpp"

namespace faxemu::faxd {

// Half-written copies a killed faxd left: in routing folders and in
// spool/received (a received fax being tagged).
void remove_stale_temporaries(const FaxServer& server, SqliteStore& store,
                              const std::filesystem::path& spool);

// Receptions faxd died during become partial faxes of their whole pages (or
// failed ones without any), tagged and routed; finished faxes whose routing
// had not ended have it resumed.
void recover_received(const FaxServer& server, SqliteStore& store, const Clock& clock,
                      const Config& config, RoutingQueue& routing);

// Uploads and converted documents no job names, and the spool's tmp/.
void remove_orphan_documents(SqliteStore& store, const std::filesystem::path& spool);

}  // namespace faxemu::faxd
