#include "core/job.hpp"

#include <array>

namespace faxemu {

namespace {

// The names are stored in the database, so they must never change.
constexpr std::array<std::pair<JobState, const char*>, 9> kStateNames{{
    {JobState::Converting, "converting"},
    {JobState::Queued, "queued"},
    {JobState::InProgress, "in_progress"},
    {JobState::Retrying, "retrying"},
    {JobState::Paused, "paused"},
    {JobState::Completed, "completed"},
    {JobState::Failed, "failed"},
    {JobState::RetriesExceeded, "retries_exceeded"},
    {JobState::Cancelled, "cancelled"},
}};

// Stored in the database and spoken by the protocol: never change them.
constexpr std::array<std::pair<NotifyWhen, const char*>, 4> kNotifyNames{{
    {NotifyWhen::Never, "never"},
    {NotifyWhen::Done, "done"},
    {NotifyWhen::Fail, "fail"},
    {NotifyWhen::All, "all"},
}};

}  // namespace

const char* to_string(NotifyWhen w) {
    for (const auto& [when, name] : kNotifyNames)
        if (when == w) return name;
    return "never";
}

std::optional<NotifyWhen> notify_when_from_string(std::string_view s) {
    for (const auto& [when, name] : kNotifyNames)
        if (s == name) return when;
    return std::nullopt;
}

bool notice_due(const Job& job) {
    if (job.notify_address.empty()) return false;
    const bool done = job.state == JobState::Completed;
    const bool failed = job.state == JobState::Failed || job.state == JobState::RetriesExceeded;
    switch (job.notify_when) {
        case NotifyWhen::Never:
            return false;
        case NotifyWhen::Done:
            return done;
        case NotifyWhen::Fail:
            return failed;
        case NotifyWhen::All:
            return done || failed;
    }
    return false;
}

const char* to_string(JobState s) {
    for (const auto& [state, name] : kStateNames) {
        if (state == s) return name;
    }
    return "unknown";
}

std::optional<JobState> job_state_from_string(std::string_view s) {
    for (const auto& [state, name] : kStateNames) {
        if (s == name) return state;
    }
    return std::nullopt;
}

bool is_final(JobState s) {
    switch (s) {
        case JobState::Completed:
        case JobState::Failed:
        case JobState::RetriesExceeded:
        case JobState::Cancelled:
            return true;
        case JobState::Converting:
        case JobState::Queued:
        case JobState::InProgress:
        case JobState::Retrying:
        case JobState::Paused:
            return false;
    }
    return false;
}

std::uint32_t queue_status_bits(JobState s) {
    switch (s) {
        case JobState::Converting:
        case JobState::Queued:
            return js::Pending;
        case JobState::InProgress:
            return js::InProgress;
        case JobState::Retrying:
            return js::Retrying;
        case JobState::Paused:
            return js::Paused;
        case JobState::Failed:
            return js::Failed;
        case JobState::RetriesExceeded:
            return js::RetriesExceeded;
        case JobState::Cancelled:
            // faxcom showed JS_DELETING while it removed a cancelled job.
            return js::Deleting;
        case JobState::Completed:
            // winfax has no "done" bit: the service removed a sent job at once.
            return js::Pending;
    }
    return js::Pending;
}

std::string queue_status_string(JobState s) {
    switch (s) {
        case JobState::Converting:
            // Pending to faxcom (a legacy client knows no other word), with
            // what it waits for.
            return "Pending (converting the document)";
        case JobState::Queued:
            return "Pending";
        case JobState::InProgress:
            return "In Progress";
        case JobState::Retrying:
            return "Retrying";
        case JobState::Paused:
            return "Paused";
        case JobState::Failed:
            return "Failed";
        case JobState::RetriesExceeded:
            return "Retries Exceeded";
        // faxcom never shows these two (it removes sent and deleted jobs from the
        // queue); we keep them as history, so they need words of our own.
        case JobState::Completed:
            return "Completed";
        case JobState::Cancelled:
            return "Deleted";
    }
    return "Unknown";
}

std::string queue_status_string(const Job& job) {
    if (job.state == JobState::Converting && job.conversion)
        return "Pending (" + describe(*job.conversion) + ")";
    return queue_status_string(job.state);
}

}  // namespace faxemu
