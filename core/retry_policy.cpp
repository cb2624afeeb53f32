#include "core/retry_policy.hpp"

#include <string>

#include "core/error.hpp"

namespace faxemu {

namespace {

const ClassRetry* rule_of(const RetryPolicy& p, FailureClass f) {
    switch (f) {
        case FailureClass::Busy:
            return &p.busy;
        case FailureClass::NoAnswer:
            return &p.no_answer;
        case FailureClass::NoCarrier:
            return &p.no_carrier;
        default:
            return nullptr;
    }
}

void check(const ClassRetry& rule, const char* name) {
    if (rule.retries && (*rule.retries < 0 || *rule.retries > RetryPolicy::kMaxRetries))
        throw FaxError(ErrorCode::InvalidParameter, std::string(name) + "_retries must be 0 to " +
                                                        std::to_string(RetryPolicy::kMaxRetries) +
                                                        ", got " + std::to_string(*rule.retries));
    if (rule.delay && (rule.delay->count() < 0 || *rule.delay > RetryPolicy::kMaxDelay))
        throw FaxError(ErrorCode::InvalidParameter,
                       std::string(name) + "_delay must be 0 to " +
                           std::to_string(RetryPolicy::kMaxDelay.count()) + " seconds, got " +
                           std::to_string(rule.delay->count()));
}

}  // namespace

std::int32_t* FailureCounts::of(FailureClass f) {
    switch (f) {
        case FailureClass::Busy:
            return &busy;
        case FailureClass::NoAnswer:
            return &no_answer;
        case FailureClass::NoCarrier:
            return &no_carrier;
        case FailureClass::Protocol:
        case FailureClass::LineDropped:
            return &other;
        default:
            return nullptr;
    }
}

std::int32_t RetryPolicy::retries(FailureClass f, std::int32_t faxcom_retries) const {
    const ClassRetry* rule = rule_of(*this, f);
    return rule && rule->retries ? *rule->retries : faxcom_retries;
}

Duration RetryPolicy::delay(FailureClass f, std::int32_t faxcom_retry_delay_minutes) const {
    const ClassRetry* rule = rule_of(*this, f);
    if (rule && rule->delay) return *rule->delay;
    return std::chrono::minutes{faxcom_retry_delay_minutes};
}

void RetryPolicy::validate() const {
    check(busy, "busy");
    check(no_answer, "no_answer");
    check(no_carrier, "no_carrier");
}

}  // namespace faxemu
