// Inbound routing methods (faxcom IFaxRoutingMethod): what the server does with
// a received fax on a port. RoutingMethodInfo describes a method once;
// RoutingMethod is its instance on one port, with Enable and RoutingData.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/caller_rights.hpp"
#include "core/drive_map.hpp"
#include "core/program_allow_list.hpp"

namespace faxemu {

// The Microsoft routing extension's GUIDs (faxcom-api.md §13, MS_FAXROUTE_*_GUID).
inline constexpr std::string_view kPrintRoutingGuid = "{aec1b37c-9af2-11d0-abf7-00c04fd91a4e}";
inline constexpr std::string_view kFolderRoutingGuid = "{92041a90-9af2-11d0-abf7-00c04fd91a4e}";
inline constexpr std::string_view kEmailRoutingGuid = "{6bbf7bfe-9af2-11d0-abf7-00c04fd91a4e}";
// faxemu's own method, not in faxcom: generated once (uuid4) and fixed forever,
// since clients and stored port settings key methods by GUID.
inline constexpr std::string_view kRunProgramRoutingGuid = "{41e2186d-d53b-41f5-a1fa-f96789e7fac2}";

// What RoutingData means, and so how it is validated and later executed:
// Print, a printer name; Folder, an absolute folder path; Email, an address;
// RunProgram, a program and its arguments (routing_runner.hpp). Folder and
// Email data may end in ";format=pdf" or ";format=tiff", the format of the
// copy (default: TIFF for a folder, PDF for e-mail; routing_target.hpp).
enum class RoutingKind { Print, Folder, Email, RunProgram };

struct RoutingMethodInfo {
    RoutingKind kind;
    std::string_view guid;        // lower case, in braces
    std::string_view short_name;  // what people type: email, folder, print, program
    std::string_view friendly_name;
    std::string_view function_name;
    std::string_view image_name;
    std::string_view extension_name;
};

// All methods a port offers, in the order they run for a received fax.
std::span<const RoutingMethodInfo> standard_routing_methods();

// The method with this GUID (case-insensitive; braces required) or this short
// name (case-insensitive), or nullptr.
const RoutingMethodInfo* find_routing_method(std::string_view guid_or_name);

// One method on one port. Thread-safe: the API sets it while the engine reads it.
class RoutingMethod {
  public:
    // `changed` runs after every successful put that changed something (the
    // owning port uses it to persist settings and notify clients). `programs`:
    // what a run-program method may start (null: nothing); `drives`: the
    // Windows folders a store-in-folder method maps (null: none); both must
    // outlive this.
    RoutingMethod(const RoutingMethodInfo& info, std::int32_t device_id, std::string device_name,
                  std::function<void()> changed = {}, const ProgramAllowList* programs = nullptr,
                  const DriveMap* drives = nullptr);
    RoutingMethod(const RoutingMethod&) = delete;
    RoutingMethod& operator=(const RoutingMethod&) = delete;

    const RoutingMethodInfo& info() const { return info_; }
    std::int32_t DeviceId() const { return device_id_; }
    const std::string& DeviceName() const { return device_name_; }
    std::string_view Guid() const { return info_.guid; }
    std::string_view FunctionName() const { return info_.function_name; }
    std::string_view ImageName() const { return info_.image_name; }
    std::string_view FriendlyName() const { return info_.friendly_name; }
    std::string_view ExtensionName() const { return info_.extension_name; }

    bool Enable() const;
    std::string RoutingData() const;

    // Needs FAX_PORT_SET. Enabling needs valid, non-empty RoutingData: a method
    // enabled without a destination would silently drop every received fax.
    void put_Enable(const CallerRights& caller, bool enable);
    // Needs FAX_PORT_SET. Empty clears the data, allowed only while disabled.
    // A Windows folder in store-in-folder data is stored mapped through the
    // drive map (refused when the map has no entry for it).
    void put_RoutingData(const CallerRights& caller, std::string data);

    // Throws InvalidParameter when `data` is not acceptable for this method
    // (empty is acceptable here; put_* decide about emptiness). Run-program
    // data must start with an absolute path on the allow-list.
    void validate(std::string_view data) const;

  private:
    [[noreturn]] void fail(std::string_view reason) const;
    // A store-in-folder destination as a local folder (fail()s when refused).
    std::string local_folder(std::string_view folder) const;

    const RoutingMethodInfo& info_;
    const std::int32_t device_id_;
    const std::string device_name_;
    std::function<void()> changed_;
    const ProgramAllowList* programs_;
    const DriveMap* drives_;
    mutable std::mutex mutex_;
    bool enable_ = false;
    std::string routing_data_;
};

}  // namespace faxemu
