// faxd's SIGHUP: a reloaded configuration is taken while faxd runs. Its ports
// are added, removed or changed without touching the calls on the others (a
// port in a call is drained first: Daemon::reconcile_ports); settings read
// where they are used apply at once; what faxd opened or started at start
// (spool, sockets, workers, ...) takes a restart, and is named and kept.
// These are the comparisons that decide which is which.
#pragma once

#include <string>
#include <vector>

#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

// The keys (as the file spells them, e.g. "server.spool") whose value in
// `next` differs from `running` but only a restart can apply; `next` gets
// `running`'s values back for them.
std::vector<std::string> keep_restart_only_settings(const Config& running, Config& next);

// The keys of a [[port]] table whose values differ between `a` and `b`
// ("number", "rings", "routing", ...); empty when the port is unchanged.
std::vector<std::string> port_differences(const PortConfig& a, const PortConfig& b);

// Whether going from `a` to `b` needs a new device behind the port (its
// line, its modem or how the modem is driven), not only new settings.
bool needs_new_device(const PortConfig& a, const PortConfig& b);

}  // namespace faxemu::faxd
