// The control protocol's methods (core/protocol/PROTOCOL.md), served by faxd,
// registered by group: each group's file checks the caller's rights, validates
// the parameters, and answers from the model, the scheduler or the store.
// Sessions (session.login, …) are the RpcServer's own.
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/notifications.hpp"

namespace faxemu::faxd {

void Daemon::register_handlers() {
    register_server_methods(*rpc_);    // control_api_server.cpp
    register_port_methods(*rpc_);      // control_api_ports.cpp: ports and their routing
    register_job_methods(*rpc_);       // control_api_jobs.cpp
    register_received_methods(*rpc_);  // control_api_received.cpp
    register_notifications(*rpc_);     // notifications.cpp: session.subscribe, coalescing
}

}  // namespace faxemu::faxd
