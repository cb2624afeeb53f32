// One fax device of the server (faxcom IFaxPort): its settings, its routing
// methods and its live status. Settings are changed by API callers while the
// engine reads them, and the engine updates the status while the API reads
// snapshots, so both are guarded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/caller_rights.hpp"
#include "core/clock.hpp"
#include "core/port_status.hpp"
#include "core/port_status_changes.hpp"
#include "core/routing_method.hpp"

namespace faxemu {

class FaxServer;

class Port {
  public:
    // T.30 limits station ids to 20 characters (faxcom-api.md §6).
    static constexpr std::size_t kMaxStationIdLength = 20;
    static constexpr std::int32_t kMinRings = 1;
    static constexpr std::int32_t kMaxRings = 99;

    // Normally made by FaxServer::add_port, which assigns id and priority.
    // `programs`: what the port's run-program method may start (null: nothing);
    // `drives`: the Windows folders its store-in-folder method maps (null:
    // none); both must outlive the port.
    Port(std::int32_t device_id, std::string name, std::string number, std::int32_t priority = 1,
         const ProgramAllowList* programs = nullptr, const DriveMap* drives = nullptr);
    Port(const Port&) = delete;
    Port& operator=(const Port&) = delete;

    // Not faxcom: set from configuration (at start, or on a reload through
    // FaxServer::set_port_number), never by the API.
    std::string number;                     // the number this port answers on (simulated lines)
    std::string device_kind = "simulated";  // what drives the port
    std::string group;  // a port group's name (faxctl send --port GROUP); empty: none

    const std::string& Name() const { return name_; }
    std::int32_t DeviceId() const { return device_id_; }
    std::int32_t Rings() const;
    std::string Csid() const;
    std::string Tsid() const;
    bool Send() const;
    bool Receive() const;
    // Read-only here: FaxServer::set_port_priority keeps all ports' priorities a permutation.
    std::int32_t Priority() const;
    bool CanModify(const CallerRights& caller) const { return caller.has(access::PortSet); }

    // Each put_ checks FAX_PORT_SET, then validates; on failure nothing changes.
    void put_Rings(const CallerRights& caller, std::int32_t rings);
    void put_Csid(const CallerRights& caller, std::string csid);
    void put_Tsid(const CallerRights& caller, std::string tsid);
    void put_Send(const CallerRights& caller, bool send);
    void put_Receive(const CallerRights& caller, bool receive);

    // One per standard method, in routing order; all disabled at first.
    std::vector<RoutingMethod*> GetRoutingMethods();
    std::vector<const RoutingMethod*> GetRoutingMethods() const;
    // The port's instance of the method with this GUID, or nullptr.
    RoutingMethod* routing_method(std::string_view guid);

    // A snapshot of the live status, with elapsed_time = clock.now() - start_time
    // (zero while no call has a start time).
    PortStatus GetStatus(const Clock& clock) const;
    // Not faxcom: what the device is (e.g. the modem found and the class chosen),
    // kept up to date by the engine.
    std::string device_description() const;
    void set_device_description(std::string text);
    // For the engine: edits the status under the lock. `edit` must not call back
    // into this port. The port's identity (device_id, device_name) is kept. The
    // port is marked in the changes it reports to.
    void update_status(const std::function<void(PortStatus&)>& edit);
    // Where update_status marks the port (FaxServer's; null: nowhere). Setting
    // it marks the port, so that its first status is published too.
    void report_status_changes(PortStatusChanges* changes);

    // Called after a put (here, on a routing method, or of the priority) that
    // changed a setting; used to persist settings and notify clients. Register
    // listeners before the server starts.
    void on_changed(std::function<void(const Port&)> listener);

    // Throws InvalidParameter unless `id` is a valid CSID/TSID: at most 20
    // characters, printable ASCII 0x20-0x7E.
    static void validate_station_id(std::string_view id, std::string_view what,
                                    std::string_view port_name);

  private:
    friend class FaxServer;  // re-ranks priority_ of several ports at once
    void notify_changed();
    template <typename T>
    void assign(T& field, T value);

    const std::int32_t device_id_;
    const std::string name_;

    mutable std::mutex mutex_;  // guards the settings and listeners below
    // faxcom documents no defaults; these follow Windows' usual ones.
    std::int32_t rings_ = 2;
    std::string csid_;
    std::string tsid_;
    bool send_ = true;
    bool receive_ = false;
    std::int32_t priority_;
    std::vector<std::function<void(const Port&)>> listeners_;

    std::vector<std::unique_ptr<RoutingMethod>> routing_methods_;

    mutable std::mutex status_mutex_;
    std::string device_description_;  // guarded by status_mutex_
    PortStatus status_;
    PortStatusChanges* status_changes_ = nullptr;  // guarded by status_mutex_
};

}  // namespace faxemu
