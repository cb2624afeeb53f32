#include "tools/faxd/housekeeping.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/received_retention.hpp"

namespace faxemu::faxd {

void Housekeeping::start() {
    if (stopped_) return;
    if (int n = parts_.scheduler.purge())
        spdlog::info("faxd: removed {} finished job(s) past DirtyDays", n);
    purge_received_faxes();
    parts_.exports.remove_unused(std::chrono::hours(1));
    timer_.expires_after(std::chrono::hours(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) start();
    });
}

void Housekeeping::stop() {
    stopped_ = true;
    timer_.cancel();
}

void Housekeeping::purge_received_faxes() {
    const auto retention = parts_.config.received_retention;
    const auto purged = purge_received(parts_.store, parts_.clock.now(),
                                       std::chrono::duration_cast<Duration>(retention));
    if (purged.empty()) return;
    spdlog::info("faxd: removed {} received fax(es) past the retention of {} hour(s)",
                 purged.size(), std::chrono::duration_cast<std::chrono::hours>(retention).count());
}

}  // namespace faxemu::faxd
