#include "tools/faxctl/schedule_options.hpp"

#include "tools/faxctl/send_time.hpp"

namespace faxemu::faxctl {

void ScheduleOptions::add_to(CLI::App* cmd) {
    cmd->add_option("--at", at,
                    "first attempt not before this local time: HH:MM (today), "
                    "\"YYYY-MM-DD HH:MM\", +2h, \"now + 30 min\"");
    cmd->add_option("--port", ports,
                    "only on this port or port group (by name; repeat for several)");
    cmd->add_option("--priority", priority, "0-100, higher sent first (default 50)")
        ->check(CLI::Range(0, 100));
}

void ScheduleOptions::add_alter_options(CLI::App* cmd) {
    cmd->add_option("--number", number, "alter: the fax number to dial");
    cmd->add_option("--retries", retries, "alter: retries in all, whatever the failure")
        ->check(CLI::Range(0, 99));
    add_to(cmd);
}

json ScheduleOptions::params() const {
    json p = json::object();
    if (at) p["send_at"] = protocol_time(parse_send_time(*at, std::chrono::system_clock::now()));
    if (!ports.empty()) p["ports"] = ports;
    if (priority) p["priority"] = *priority;
    if (number) p["number"] = *number;
    if (retries) p["retries"] = *retries;
    return p;
}

}  // namespace faxemu::faxctl
