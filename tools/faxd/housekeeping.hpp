// faxd's hourly tidying, at start and then every hour: finished jobs past
// DirtyDays, received faxes past [received] retention, and exports unused
// for an hour. On the io thread.
#pragma once

#include <asio.hpp>

#include "core/clock.hpp"
#include "core/scheduler.hpp"
#include "core/store.hpp"
#include "tools/faxd/config.hpp"
#include "tools/faxd/received_exports.hpp"

namespace faxemu::faxd {

class Housekeeping {
  public:
    struct Parts {
        asio::io_context& io;
        const Clock& clock;
        Scheduler& scheduler;
        Store& store;
        ReceivedExports& exports;
        const Config& config;  // read each time: a reload may change the retention
    };
    explicit Housekeeping(Parts parts) : parts_(parts), timer_(parts.io) {}

    // Tidies now, then every hour until stop().
    void start();
    void stop();

  private:
    void purge_received_faxes();

    Parts parts_;
    asio::steady_timer timer_;
    bool stopped_ = false;
};

}  // namespace faxemu::faxd
