// Received faxes are kept only so long: `[received] retention` in faxd's
// config. A fax server holds other people's letters, and a spool that keeps
// every received page for ever grows until the disk is full. Only faxes whose
// reception ended longer ago than the retention go, and never one that is
// still being received or routed (a method due to run, running, or to be
// tried again): its file would vanish under the routing.
#pragma once

#include <vector>

#include "core/clock.hpp"
#include "core/received_fax.hpp"
#include "core/store.hpp"

namespace faxemu {

// Still being received, or a routing method of it is due, running or to be
// retried (RoutingOutcome::next_try set).
bool still_in_use(const ReceivedFax& fax);

// Removes every received fax that ended before `now - retention` and is not
// still_in_use: its file first, then its record (a crash in between leaves a
// record whose file is gone, which the next purge removes). Logs each one.
// Returns the faxes removed. A zero retention removes nothing.
std::vector<ReceivedFax> purge_received(Store& store, TimePoint now, Duration retention);

}  // namespace faxemu
