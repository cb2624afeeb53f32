#include "devices/simulated_site.hpp"

#include "core/caller_rights.hpp"

namespace faxemu {

SimulatedSite::SimulatedSite(std::filesystem::path spool_dir, int port_count, ExchangeTiming timing)
    : clock(std::chrono::floor<std::chrono::seconds>(SystemClock().now())),
      exchange(clock, timing),
      bank(server, clock, std::move(spool_dir)),
      queue(server, bank, clock, bank.spool_dir() / "queue.db") {
    const CallerRights admin = CallerRights::admin();
    for (int i = 0; i < port_count; ++i) {
        Port& p = server.add_port("Simulated port " + std::to_string(i + 1), number(i));
        const std::string id = "+1 555 " + number(i).substr(3);
        p.put_Tsid(admin, id);
        p.put_Csid(admin, id);
        p.put_Send(admin, true);
        p.put_Receive(admin, true);
        p.put_Rings(admin, 2);
        devices_.push_back(std::make_unique<SimulatedDevice>(exchange, number(i)));
        bank.attach(p, *devices_.back());
    }
    bank.on_call_ended([this](const CallRecord& rec) { calls_.push_back(rec); });
    exchange.on_tick([this] { bank.poll(); });
}

bool SimulatedSite::run_until_idle(Duration limit) {
    exchange.step();
    return exchange.run_until([this] { return !exchange.active() && bank.idle(); }, limit);
}

}  // namespace faxemu
