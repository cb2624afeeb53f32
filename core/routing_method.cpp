#include "core/routing_method.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/error.hpp"
#include "core/refusal.hpp"
#include "core/routing_target.hpp"

namespace faxemu {

namespace {

// faxcom does not document the friendly, function and DLL names of the
// Microsoft methods (faxcom-api.md §15.9), so these are faxemu's own: the
// routing code runs inside faxd, which is the "image" of the extension.
constexpr std::array<RoutingMethodInfo, 4> kMethods{{
    {RoutingKind::Print, kPrintRoutingGuid, "print", "Print", "FaxRoutePrint", "faxd",
     "faxemu Routing Extension"},
    {RoutingKind::Folder, kFolderRoutingGuid, "folder", "Store in a folder",
     "FaxRouteStoreInFolder", "faxd", "faxemu Routing Extension"},
    {RoutingKind::Email, kEmailRoutingGuid, "email", "Send by e-mail", "FaxRouteEmail", "faxd",
     "faxemu Routing Extension"},
    {RoutingKind::RunProgram, kRunProgramRoutingGuid, "program", "Run a program",
     "FaxRouteRunProgram", "faxd", "faxemu Routing Extension"},
}};

// Limits: PATH_MAX-1 for a folder, CUPS' 127 for a printer name, RFC 5321's
// 254 for an address; a program's argument string gets a generous cap.
constexpr std::size_t kMaxFolder = 4095;
constexpr std::size_t kMaxPrinter = 127;
constexpr std::size_t kMaxEmail = 254;
constexpr std::size_t kMaxArguments = 4096;

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

// Why a folder path is unacceptable, or empty. Absolute paths only: a relative
// one would depend on faxd's working directory.
std::string folder_problem(std::string_view p) {
    if (p.size() > kMaxFolder) return "folder path longer than 4095 characters";
    // Windows folders were mapped (or refused) by the drive map before this.
    if (p.front() != '/') return "folder path must be absolute";
    return {};
}

// Printer names go to lp/lpr later: allow only what CUPS and Windows queue
// names commonly use, nothing a shell or option parser would interpret.
std::string printer_problem(std::string_view p) {
    if (p.size() > kMaxPrinter) return "printer name longer than 127 characters";
    if (p.front() == '-') return "printer name must not start with '-'";
    for (char c : p) {
        if (is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == ':' || c == '+')
            continue;
        return std::string("printer name contains '") + c +
               "' (allowed: letters, digits and . _ - @ : +)";
    }
    return {};
}

// A conservative subset of RFC 5322 addr-spec: dot-atoms without the shell
// metacharacters that RFC allows (` $ | & ' ...), since the address reaches a
// mailer's command line.
std::string email_problem(std::string_view a) {
    if (a.size() > kMaxEmail) return "e-mail address longer than 254 characters";
    const auto at = a.find('@');
    if (at == std::string_view::npos || a.find('@', at + 1) != std::string_view::npos)
        return "e-mail address needs exactly one '@'";
    const auto local = a.substr(0, at);
    const auto domain = a.substr(at + 1);
    if (local.empty() || local.size() > 64) return "e-mail local part must be 1..64 characters";
    if (local.front() == '.' || local.front() == '-' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return "e-mail local part is malformed";
    for (char c : local) {
        if (!is_alnum(c) && c != '.' && c != '_' && c != '%' && c != '+' && c != '-')
            return std::string("e-mail address contains '") + c + "'";
    }
    if (domain.find('.') == std::string_view::npos) return "e-mail domain needs a dot";
    std::size_t start = 0;
    while (start <= domain.size()) {
        auto end = domain.find('.', start);
        if (end == std::string_view::npos) end = domain.size();
        const auto label = domain.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return "e-mail domain is malformed";
        for (char c : label) {
            if (!is_alnum(c) && c != '-') return std::string("e-mail address contains '") + c + "'";
        }
        start = end + 1;
    }
    return {};
}

// The argument string is split into argv by the runner and never given to a
// shell, so shell syntax is harmless; but its program must be one the
// configuration allows, or any admin could run any command as faxd's user.
std::string arguments_problem(std::string_view s, const ProgramAllowList* programs) {
    if (s.size() > kMaxArguments) return "argument string longer than 4096 characters";
    const auto start = s.find_first_not_of(' ');
    if (start == std::string_view::npos) return "no program given";
    const auto program = s.substr(start, s.find(' ', start) - start);
    static const ProgramAllowList kNone;
    std::string why;
    (programs ? *programs : kNone).resolve(program, why);
    return why;
}

}  // namespace

std::span<const RoutingMethodInfo> standard_routing_methods() {
    return kMethods;
}

const RoutingMethodInfo* find_routing_method(std::string_view guid_or_name) {
    const auto same = [&](std::string_view key) {  // keys are lower case
        return guid_or_name.size() == key.size() &&
               std::equal(guid_or_name.begin(), guid_or_name.end(), key.begin(),
                          [](char a, char b) { return lower(a) == b; });
    };
    for (const auto& m : kMethods) {
        if (same(m.guid) || same(m.short_name)) return &m;
    }
    return nullptr;
}

RoutingMethod::RoutingMethod(const RoutingMethodInfo& info, std::int32_t device_id,
                             std::string device_name, std::function<void()> changed,
                             const ProgramAllowList* programs, const DriveMap* drives)
    : info_(info),
      device_id_(device_id),
      device_name_(std::move(device_name)),
      changed_(std::move(changed)),
      programs_(programs),
      drives_(drives) {}

bool RoutingMethod::Enable() const {
    std::lock_guard lock(mutex_);
    return enable_;
}

std::string RoutingMethod::RoutingData() const {
    std::lock_guard lock(mutex_);
    return routing_data_;
}

void RoutingMethod::fail(std::string_view reason) const {
    throw FaxError(ErrorCode::InvalidParameter, std::string(info_.friendly_name) + " on port " +
                                                    device_name_ + ": " + std::string(reason));
}

void RoutingMethod::validate(std::string_view data) const {
    if (data.empty()) return;
    // Control characters have no place in any of these one-line values and
    // NUL would truncate them at the C boundary; refused for every kind.
    for (char c : data) {
        if (c == '\0') fail("RoutingData contains a NUL character");
        if (is_control(c)) fail("RoutingData contains a control character");
    }
    // Folder and e-mail data may end in ";format=pdf|tiff" (routing_target.hpp).
    const RoutingTarget target = parse_routing_target(info_.kind, data);
    if (!target.problem.empty()) fail(target.problem);
    data = target.destination;
    std::string problem;
    switch (info_.kind) {
        case RoutingKind::Folder:
            problem = folder_problem(local_folder(data));
            break;
        case RoutingKind::Print:
            problem = printer_problem(data);
            break;
        case RoutingKind::Email:
            problem = email_problem(data);
            break;
        case RoutingKind::RunProgram:
            problem = arguments_problem(data, programs_);
            break;
    }
    if (!problem.empty()) fail(problem);
}

void RoutingMethod::put_Enable(const CallerRights& caller, bool enable) {
    require(caller, access::PortSet,
            "setting Enable of " + std::string(info_.friendly_name) + " on port " + device_name_);
    {
        std::lock_guard lock(mutex_);
        if (enable && routing_data_.empty())
            fail("cannot be enabled while RoutingData is empty; set RoutingData first");
        if (enable_ == enable) return;
        enable_ = enable;
    }
    if (changed_) changed_();
}

std::string RoutingMethod::local_folder(std::string_view folder) const {
    static const DriveMap kNone;
    std::string why;
    std::string local = (drives_ ? *drives_ : kNone).to_local(folder, "folder", why);
    // Told apart from other bad data: a client can say "map it" (faxcom's shim).
    if (!why.empty())
        throw Refusal(ErrorCode::InvalidParameter,
                      std::string(info_.friendly_name) + " on port " + device_name_ + ": " + why,
                      reason::kWindowsPath);
    return local;
}

void RoutingMethod::put_RoutingData(const CallerRights& caller, std::string data) {
    require(
        caller, access::PortSet,
        "setting RoutingData of " + std::string(info_.friendly_name) + " on port " + device_name_);
    validate(data);
    if (info_.kind == RoutingKind::Folder && !data.empty()) {
        // Stored as the local folder it names; the format suffix kept as given.
        const RoutingTarget target = parse_routing_target(info_.kind, data);
        data = local_folder(target.destination) + data.substr(target.destination.size());
    }
    {
        std::lock_guard lock(mutex_);
        if (data.empty() && enable_)
            fail("RoutingData cannot be cleared while the method is enabled; disable it first");
        if (routing_data_ == data) return;
        routing_data_ = std::move(data);
    }
    if (changed_) changed_();
}

}  // namespace faxemu
