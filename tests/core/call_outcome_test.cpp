#include "core/call_outcome.hpp"

#include <gtest/gtest.h>
#include <spandsp.h>

namespace faxemu {
namespace {

TEST(CallOutcome, MapsT30CausesToStatusAndRetryClass) {
    struct Case {
        int cause;
        Fps status;
        FailureClass failure;
        bool retry;
    } cases[] = {
        {T30_ERR_OK, Fps::Completed, FailureClass::None, false},
        {T30_ERR_CALLDROPPED, Fps::Disconnected, FailureClass::LineDropped, true},
        {T30_ERR_T0_EXPIRED, Fps::NotFaxCall, FailureClass::NoCarrier, true},
        {T30_ERR_T1_EXPIRED, Fps::NotFaxCall, FailureClass::NoCarrier, true},
        {T30_ERR_CANNOT_TRAIN, Fps::FatalError, FailureClass::Protocol, true},
        {T30_ERR_TX_PHDDEAD, Fps::FatalError, FailureClass::Protocol, true},
        {T30_ERR_RETRYDCN, Fps::FatalError, FailureClass::Protocol, true},
        {T30_ERR_INCOMPATIBLE, Fps::FatalError, FailureClass::Incompatible, false},
        {T30_ERR_NORESSUPPORT, Fps::FatalError, FailureClass::Incompatible, false},
        {T30_ERR_FILEERROR, Fps::FatalError, FailureClass::Document, false},
        {T30_ERR_BADTIFF, Fps::FatalError, FailureClass::Document, false},
    };
    for (const Case& c : cases) {
        CallOutcome o = outcome_from_t30(c.cause, 2);
        EXPECT_EQ(o.status, c.status) << c.cause;
        EXPECT_EQ(o.failure, c.failure) << c.cause;
        EXPECT_EQ(o.retryable(), c.retry) << c.cause;
        EXPECT_EQ(o.t30_cause, c.cause);
        EXPECT_EQ(o.pages_done, 2);
        EXPECT_FALSE(o.cause_text.empty());
    }
    EXPECT_TRUE(outcome_from_t30(T30_ERR_OK, 1).ok());
}

TEST(CallOutcome, LineOutcomesHaveNoT30Cause) {
    CallOutcome busy = line_outcome(Fps::Busy, FailureClass::Busy, "line busy");
    EXPECT_EQ(busy.t30_cause, -1);
    EXPECT_TRUE(busy.retryable());
    EXPECT_FALSE(busy.ok());
    EXPECT_FALSE(line_outcome(Fps::Aborting, FailureClass::Aborted, "x").retryable());
}

}  // namespace
}  // namespace faxemu
