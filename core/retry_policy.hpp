// How often and how soon a failed call is tried again, per failure class, as
// HylaFAX's faxq does (JobRetryBusy, JobRetryNoAnswer, JobRetryNoCarrier,
// JobRetryOther; NoCarrierRetrys): a busy line is worth trying again soon and
// often, a number where no fax machine answers is not worth many calls. A
// class without a rule of its own follows faxcom's Retries and RetryDelay, so
// a COM client's settings keep their meaning for those classes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/call_outcome.hpp"
#include "core/clock.hpp"

namespace faxemu {

// Failures of a job, counted by class: HylaFAX's "dials" (calls that never
// reached a fax session: busy, no answer, no fax machine) and "tries" (calls
// that reached one and failed: T.30 errors, dropped lines) kept apart.
struct FailureCounts {
    std::int32_t busy = 0;
    std::int32_t no_answer = 0;
    std::int32_t no_carrier = 0;
    std::int32_t other = 0;  // Protocol and LineDropped

    // The counter of a retryable class; null for the others.
    std::int32_t* of(FailureClass f);
    std::int32_t dials() const { return busy + no_answer + no_carrier; }
    std::int32_t tries() const { return other; }
    bool operator==(const FailureCounts&) const = default;
};

struct ClassRetry {
    std::optional<std::int32_t> retries;        // none: faxcom's Retries
    std::optional<std::chrono::seconds> delay;  // none: faxcom's RetryDelay
    bool operator==(const ClassRetry&) const = default;
};

struct RetryPolicy {
    // Limits of the settings, as config and API check them.
    static constexpr std::int32_t kMaxRetries = 99;
    static constexpr std::chrono::seconds kMaxDelay{std::chrono::hours(24)};

    // Busy: the line will be free soon (HylaFAX: JobRetryBusy 3 minutes).
    ClassRetry busy{8, std::chrono::minutes(3)};
    ClassRetry no_answer{};
    // No fax machine answered: a voice line, most likely; final after one retry.
    ClassRetry no_carrier{1, std::nullopt};
    // Protocol errors and dropped lines always follow faxcom's settings.

    // Every class following faxcom's Retries and RetryDelay.
    static RetryPolicy faxcom_only() { return {{}, {}, {}}; }

    // The limit and delay of `f` given faxcom's Retries and RetryDelay (minutes).
    std::int32_t retries(FailureClass f, std::int32_t faxcom_retries) const;
    Duration delay(FailureClass f, std::int32_t faxcom_retry_delay_minutes) const;
    // Throws InvalidParameter naming the first value out of range.
    void validate() const;
    bool operator==(const RetryPolicy&) const = default;
};

}  // namespace faxemu
