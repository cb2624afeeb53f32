// Received faxes from call to routing, apart from the daemon that wires them:
// a call answered becomes a record in the store at once (so a crash leaves a
// trace that recovery finds), its pages are counted as they come, and its end
// tags the file for FaxTiff, stores the outcome with the routing to do in one
// write, and starts that routing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "core/fax_server.hpp"
#include "core/port_controller.hpp"
#include "core/sqlite_store.hpp"
#include "tools/faxd/routing_queue.hpp"

namespace faxemu::faxd {

class ReceivedFaxes {
  public:
    // Told whenever a received fax changes (received.changed).
    using Changed = std::function<void(const ReceivedFax& fax)>;
    // One line in the accounting log for the call that brought fax `id`.
    using Account = std::function<void(const CallRecord& rec, std::int64_t id)>;

    ReceivedFaxes(FaxServer& server, SqliteStore& store, RoutingQueue& routing, Changed changed,
                  Account account);

    // The inbound calls of the CallObserver, on the io thread.
    void call_started(const CallRecord& rec);
    void call_progress(const CallRecord& rec, const SessionEvent& e);
    void call_ended(const CallRecord& rec);
    // A fax is coming in on the port (its call has not ended).
    bool receiving(std::int32_t device_id) const { return receiving_.count(device_id) > 0; }

  private:
    FaxServer& server_;
    SqliteStore& store_;
    RoutingQueue& routing_;
    Changed changed_;
    Account account_;
    std::map<std::int32_t, std::int64_t> receiving_;  // device id -> received fax id
};

}  // namespace faxemu::faxd
