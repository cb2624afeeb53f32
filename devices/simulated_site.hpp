// A fax server on simulated ports, wired up: a virtual clock, the exchange, the
// FaxServer model, its PortBank with one SimulatedDevice per port, and a
// OneShotQueue to send through. What the tests and the benchmark start from.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/one_shot_queue.hpp"
#include "core/port_bank.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"

namespace faxemu {

class SimulatedSite {
  public:
    // Ports answer on 5551001, 5551002, ...; each may send and receive, after 2 rings.
    explicit SimulatedSite(std::filesystem::path spool_dir, int port_count = 2,
                           ExchangeTiming timing = {});

    VirtualClock clock;  // starts at the wall-clock time the site was made
    VirtualExchange exchange;
    FaxServer server;
    PortBank bank;
    OneShotQueue queue;  // sends: queue.send(request)

    Port& port(int index) { return *server.ports().at(static_cast<std::size_t>(index)); }
    SimulatedDevice& device(int index) { return *devices_.at(static_cast<std::size_t>(index)); }
    static std::string number(int index) { return std::to_string(5551001 + index); }

    // Every call that ended, in order.
    const std::vector<CallRecord>& calls() const { return calls_; }
    // Steps the line until no call is in progress (and at least one step ran).
    bool run_until_idle(Duration limit = std::chrono::hours(2));

  private:
    std::vector<std::unique_ptr<SimulatedDevice>> devices_;
    std::vector<CallRecord> calls_;
};

}  // namespace faxemu
