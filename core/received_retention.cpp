#include "core/received_retention.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace faxemu {

bool still_in_use(const ReceivedFax& fax) {
    return !fax.end || std::any_of(fax.routing.begin(), fax.routing.end(),
                                   [](const RoutingOutcome& o) { return o.next_try.has_value(); });
}

std::vector<ReceivedFax> purge_received(Store& store, TimePoint now, Duration retention) {
    std::vector<ReceivedFax> purged;
    if (retention <= Duration::zero()) return purged;
    const TimePoint cutoff = now - retention;
    for (const ReceivedFax& fax : store.received_faxes()) {
        if (!fax.end || *fax.end >= cutoff || still_in_use(fax)) continue;
        const ReceivedFax* full = &fax;
        std::error_code ec;
        if (!full->file.empty()) std::filesystem::remove(full->file, ec);
        if (ec) {
            spdlog::warn("fax {}: past its retention, but its file {} could not be removed: {}",
                         full->id, full->file, ec.message());
            continue;
        }
        store.delete_received(full->id);
        spdlog::info(
            "fax {}: removed, past the retention of received faxes ({} page(s) from "
            "\"{}\" on port \"{}\", file {})",
            full->id, full->pages, full->remote_ident, full->port_name, full->file);
        purged.push_back(*full);
    }
    return purged;
}

}  // namespace faxemu
