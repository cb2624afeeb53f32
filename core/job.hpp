// A fax job: what a client submitted (outbound) or what arrived (inbound), and
// each attempt at it. The queue's truth lives in the Store; QueueStatus and
// DeviceStatus as faxcom shows them are derived from it, never set by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/call_outcome.hpp"
#include "core/clock.hpp"
#include "core/conversion_progress.hpp"
#include "core/fax_codes.hpp"
#include "core/retry_policy.hpp"

namespace faxemu {

enum class JobState {
    Converting,       // its document is being converted to fax pages (JS_PENDING)
    Queued,           // waiting for its time and a free port (JS_PENDING)
    InProgress,       // on a port now (JS_INPROGRESS)
    Retrying,         // failed, waiting RetryDelay before the next attempt (JS_RETRYING)
    Paused,           // paused by a client (JS_PAUSED)
    Completed,        // every page delivered
    Failed,           // failed for good: not retryable (JS_FAILED)
    RetriesExceeded,  // failed Retries+1 times (JS_RETRIES_EXCEEDED)
    Cancelled,        // JC_DELETE
};

const char* to_string(JobState s);
std::optional<JobState> job_state_from_string(std::string_view s);
// A state that will never change again.
bool is_final(JobState s);
// FAX_JOB_ENTRY.QueueStatus bits and faxcom's English string for a state.
std::uint32_t queue_status_bits(JobState s);
std::string queue_status_string(JobState s);

// When the submitter asked to be told of the job's end by mail (faxctl send
// --notify, faxmail's reply): never, when it completed, when it failed for
// good, or both. A cancelled job is told of never: its submitter chose it.
enum class NotifyWhen { Never, Done, Fail, All };
const char* to_string(NotifyWhen w);
std::optional<NotifyWhen> notify_when_from_string(std::string_view s);

// Job priorities: 0 to 100, higher dispatched first.
constexpr std::int32_t kMinJobPriority = 0;
constexpr std::int32_t kMaxJobPriority = 100;
constexpr std::int32_t kDefaultJobPriority = 50;

struct Job {
    std::int64_t id = 0;  // JobId, unique, never reused
    JobType type = JobType::Send;
    JobState state = JobState::Queued;
    std::string user_name;  // who submitted it
    // Outbound: what to send, and to whom (the IFaxDoc / FAX_JOB_PARAM fields).
    std::string fax_number;
    // Path of the fax-shaped TIFF-F in the spool; while Converting, of the
    // upload as the client sent it; empty when its conversion failed.
    std::string document;
    std::string display_name;
    std::int64_t size = 0;
    std::int32_t page_count = 0;
    std::string recipient_name;
    std::string tsid;
    std::string sender_name;
    std::string sender_company;
    std::string sender_dept;
    std::string billing_code;
    bool discount_send = false;
    // Who is mailed when the job ends, and for which ends (NotifyWhen).
    std::string notify_address;
    NotifyWhen notify_when = NotifyWhen::Never;
    // Dispatch order among due jobs: higher first, then submit order.
    std::int32_t priority = kDefaultJobPriority;
    // The first attempt not before this (faxctl send --at); none: at once.
    std::optional<TimePoint> send_at;
    // Names of the ports or port groups it may be sent on; empty: any port.
    std::vector<std::string> ports;
    // Retries in all, whatever the failure class, instead of the per-class
    // limits (faxctl job alter --retries); -1: the per-class limits.
    std::int32_t max_retries = -1;
    TimePoint submitted{};
    // Progress.
    std::int32_t attempts = 0;    // attempts started so far
    FailureCounts failures;       // failed attempts by class, for the retry limits
    std::int32_t pages_sent = 0;  // pages confirmed by the far end; a retry starts after them
    std::int32_t device_id = 0;   // port of the current or last attempt, 0 if none
    Fps device_status = Fps::Available;  // of the current or last attempt
    TimePoint next_attempt{};            // not before this (retry delay)
    std::optional<TimePoint> finished;   // when it reached a final state
    std::string last_error;              // why the last attempt failed, for people
    int last_t30_cause = -1;
    FailureClass last_failure = FailureClass::None;
    // While Converting: how far the conversion has got. Live, never stored.
    std::optional<ConversionProgress> conversion;
};

// QueueStatus in words for this job: queue_status_string(state), saying how
// far the conversion has got while it converts.
std::string queue_status_string(const Job& job);

// Whether `job` has reached an end its submitter asked to be mailed about.
bool notice_due(const Job& job);

// One try at an outbound job, as recorded in the history.
struct Attempt {
    std::int64_t job_id = 0;
    std::int32_t number = 0;  // 1, 2, ...
    std::int32_t device_id = 0;
    TimePoint start{};
    std::optional<TimePoint> end;  // none: interrupted (faxd died during it)
    std::int32_t first_page = 0;
    std::int32_t pages_sent = 0;  // pages confirmed in this attempt
    Fps status = Fps::Dialing;
    FailureClass failure = FailureClass::None;
    int t30_cause = -1;
    std::string cause_text;
};

}  // namespace faxemu
