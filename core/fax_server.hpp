// The fax server (faxcom IFaxServer): server-wide settings and the ports.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller_rights.hpp"
#include "core/drive_map.hpp"
#include "core/port.hpp"
#include "core/port_status_changes.hpp"
#include "core/program_allow_list.hpp"

namespace faxemu {

// The IFaxServer properties. faxcom documents no defaults (faxcom-api.md §4.2);
// these follow Windows' usual ones.
struct ServerSettings {
    std::int32_t retries = 3;       // 0..99; retransmissions after a failed first attempt
    std::int32_t retry_delay = 10;  // minutes, 0..1440
    // Days an unsent job stays queued, 0..3650. 0 = keep forever. The VB doc
    // says 1 means "never remove", which would leave no way to ask for one day;
    // we read that as a doc error (faxcom-api.md §4.2, §15.6).
    std::int32_t dirty_days = 30;
    bool branding = true;
    bool use_device_tsid = true;
    bool server_coverpage = false;
    bool pause_server_queue = false;
    bool archive_outbound_faxes = false;
    std::string archive_directory;  // required when archive_outbound_faxes
    std::string server_mapi_profile;
    // Local time; the window wraps past midnight when end < start.
    short discount_rate_start_hour = 20;
    short discount_rate_start_minute = 0;
    short discount_rate_end_hour = 7;
    short discount_rate_end_minute = 0;

    bool operator==(const ServerSettings&) const = default;
};

// Throws InvalidParameter naming the first bad field.
void validate(const ServerSettings& settings);

// Ports are added while the server is being set up, and added or removed later
// (faxd's SIGHUP) only by the thread that drives them; the list is guarded, and
// a removed Port stays allocated until the server goes, so a pointer taken
// before the removal never dangles. Settings and priorities are guarded and
// may change at any time.
class FaxServer {
  public:
    FaxServer() = default;
    FaxServer(const FaxServer&) = delete;
    FaxServer& operator=(const FaxServer&) = delete;

    ServerSettings settings() const;
    // Needs FAX_CONFIG_SET; validates every field; all or nothing.
    void set_settings(const CallerRights& caller, ServerSettings settings);
    // Whether `local_time` lies in [start, end) of the discount window.
    // start == end: the whole day counts, so a job waiting for the discount
    // period is never stuck waiting for a window that cannot open.
    bool in_discount_period(std::chrono::hh_mm_ss<std::chrono::seconds> local_time) const;

    // The programs run-program routing may start, from faxd's configuration.
    // Set before ports are added and before other threads run; the default
    // allows none.
    void set_allowed_programs(ProgramAllowList programs) { programs_ = std::move(programs); }
    const ProgramAllowList& allowed_programs() const { return programs_; }
    // The Windows folders ArchiveDirectory and store-in-folder RoutingData may
    // name ([faxcom] drive_map): set like the programs; the default maps none,
    // so every Windows path is refused.
    void set_drive_map(DriveMap drives) { drives_ = std::move(drives); }
    const DriveMap& drive_map() const { return drives_; }

    // DeviceIds are 1, 2, ... in the order added (stable, never reused after a
    // removal); the new port gets the lowest priority (= the number of ports).
    // Numbers must be unique (an inbound call must reach one port); empty
    // numbers are not checked.
    Port& add_port(std::string name, std::string number);
    // Takes the port out of the list; the ports ranked below it move up one, so
    // priorities stay 1..n. NotFound if there is no such port.
    void remove_port(std::int32_t device_id);
    // A new number for a port (a reloaded configuration), unique as in add_port.
    void set_port_number(std::int32_t device_id, std::string number);
    std::vector<Port*> ports() const;          // in DeviceId order
    Port& port(std::int32_t device_id) const;  // NotFound "no port with DeviceId N"
    Port* find_port_by_number(std::string_view number) const;

    // Needs FAX_PORT_SET. Priority 1..n (1 = tried first); the ports between
    // the old and the new rank shift by one, so priorities stay 1..n.
    void set_port_priority(const CallerRights& caller, std::int32_t device_id,
                           std::int32_t priority);
    std::vector<Port*> ports_by_priority() const;  // highest (1) first

    // The ports (of this server, removed ones not) whose status changed since
    // the last drain: what a publisher of their status visits.
    PortStatusChanges& status_changes() { return status_changes_; }

  private:
    // InvalidParameter if another port than `self` has `number`.
    void check_number_free(const std::string& name, const std::string& number,
                           const Port* self) const;

    mutable std::mutex settings_mutex_;
    ServerSettings settings_;
    ProgramAllowList programs_;
    DriveMap drives_;

    // Taken after priority_mutex_ when both are needed.
    mutable std::mutex ports_mutex_;
    std::vector<std::unique_ptr<Port>> ports_;
    std::vector<std::unique_ptr<Port>> removed_;  // kept alive, see above
    std::int32_t next_id_ = 1;
    mutable std::mutex priority_mutex_;  // makes a re-rank atomic for ports_by_priority
    PortStatusChanges status_changes_;
};

}  // namespace faxemu
