// faxd's notifications as a client sees them (PROTOCOL.md "Notifications"):
// which state each one carries, so that a session's queue keeps only the
// latest per port, job and received fax (RpcServer::keep_latest), and
// session.subscribe, by which a session chooses the ones it is sent.
#pragma once

#include "core/rpc_server.hpp"

namespace faxemu::faxd {

// Before the io_context runs.
void register_notifications(RpcServer& rpc);

}  // namespace faxemu::faxd
