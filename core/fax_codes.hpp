// The numeric codes of winfax.h that the faxcom API exposes (FPS_*, JS_*, JC_*,
// JT_*, access rights), with their English strings. Values from
// ../shared/reference/faxcom-api.md §10 and §14.3.
#pragma once

#include <cstdint>
#include <string_view>

namespace faxemu {

// Device (port) status, FAX_DEVICE_STATUS.Status / FaxJob.DeviceStatus.
enum class Fps : std::uint32_t {
    Dialing = 0x20000001,
    Sending = 0x20000002,
    Receiving = 0x20000004,
    Completed = 0x20000008,
    Handled = 0x20000010,
    Unavailable = 0x20000020,
    Busy = 0x20000040,
    NoAnswer = 0x20000080,
    BadAddress = 0x20000100,
    NoDialTone = 0x20000200,
    Disconnected = 0x20000400,
    FatalError = 0x20000800,
    NotFaxCall = 0x20001000,
    CallDelayed = 0x20002000,
    CallBlacklisted = 0x20004000,
    Initializing = 0x20008000,
    Offline = 0x20010000,
    Ringing = 0x20020000,
    Available = 0x20100000,
    Aborting = 0x20200000,
    Routing = 0x20400000,
    Answered = 0x20800000,
};

// "Dialing", "No Answer", ... as faxcom's DeviceStatus strings.
std::string_view to_string(Fps status);

// Queue status bits, FAX_JOB_ENTRY.QueueStatus.
namespace js {
inline constexpr std::uint32_t Pending = 0x00;
inline constexpr std::uint32_t InProgress = 0x01;
inline constexpr std::uint32_t Deleting = 0x02;
inline constexpr std::uint32_t Failed = 0x04;
inline constexpr std::uint32_t Paused = 0x08;
inline constexpr std::uint32_t NoLine = 0x10;
inline constexpr std::uint32_t Retrying = 0x20;
inline constexpr std::uint32_t RetriesExceeded = 0x40;
}  // namespace js

// Job commands, IFaxJob.SetStatus.
enum class JobCommand : std::int32_t { Unknown = 0, Delete = 1, Pause = 2, Resume = 3 };
inline constexpr JobCommand kJobRestart = JobCommand::Resume;  // JC_RESTART == JC_RESUME

// Job types, IFaxJob.Type.
enum class JobType : std::int32_t {
    Unknown = 0,
    Send = 1,
    Receive = 2,
    Routing = 3,
    FailReceive = 4
};

// Access rights (FaxAccessCheck bits); a caller's rights are a set of these.
namespace access {
inline constexpr std::uint32_t JobSubmit = 0x01;
inline constexpr std::uint32_t JobQuery = 0x02;
inline constexpr std::uint32_t ConfigQuery = 0x04;
inline constexpr std::uint32_t ConfigSet = 0x08;
inline constexpr std::uint32_t PortQuery = 0x10;
inline constexpr std::uint32_t PortSet = 0x20;
inline constexpr std::uint32_t JobManage = 0x40;
inline constexpr std::uint32_t All = 0x7f;
}  // namespace access

}  // namespace faxemu
