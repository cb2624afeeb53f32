// The +FHNG/+FHS table: every code known, read in the right radix, mapped to
// an outcome whose retry decision agrees with the failure class.
#include "devices/class2_protocol/hangup_codes.hpp"

#include <gtest/gtest.h>

#include <spandsp.h>

#include <set>

namespace faxemu {
namespace {

TEST(HangupCodes, TablesAreSortedUniqueAndConsistent) {
    for (Class2Variant v : {Class2Variant::Class2, Class2Variant::Class20}) {
        int previous = -1;
        for (const HangupCode& c : hangup_codes(v)) {
            EXPECT_GT(c.code, previous) << to_string(v) << " code " << c.code;
            previous = c.code;
            EXPECT_NE(std::string(c.text), "");
            CallOutcome o;
            o.failure = c.failure;
            // The table's retry column is what the scheduler will do.
            EXPECT_EQ(o.retryable(), c.retry) << to_string(v) << " code " << c.code;
            EXPECT_EQ(c.failure == FailureClass::None, c.code == 0);
        }
    }
    EXPECT_EQ(hangup_codes(Class2Variant::Class2).size(), 47u);
    EXPECT_EQ(hangup_codes(Class2Variant::Class20).size(), 47u);
}

TEST(HangupCodes, Class2IsDecimal) {
    const HangupCode* c = find_hangup_code(Class2Variant::Class2, "52");
    ASSERT_NE(c, nullptr);
    EXPECT_STREQ(c->text, "No response to MPS repeated 3 times");
    EXPECT_EQ(c->t30_cause, T30_ERR_TX_PHDDEAD);
    // Leading zeros and blanks as modems print them.
    EXPECT_EQ(find_hangup_code(Class2Variant::Class2, " 052 "), c);
    // Receive phase D is 100-103 in SP-2388; "A0" is not a decimal code.
    ASSERT_NE(find_hangup_code(Class2Variant::Class2, "100"), nullptr);
    EXPECT_EQ(find_hangup_code(Class2Variant::Class2, "A0"), nullptr);
    // Everex vendor codes.
    const HangupCode* everex = find_hangup_code(Class2Variant::Class2, "130");
    ASSERT_NE(everex, nullptr);
    EXPECT_EQ(everex->failure, FailureClass::Incompatible);
    EXPECT_FALSE(everex->retry);
    // 92 is unused in the decimal numbering, bad CRC is 94.
    EXPECT_EQ(find_hangup_code(Class2Variant::Class2, "92"), nullptr);
    EXPECT_STREQ(find_hangup_code(Class2Variant::Class2, "94")->text,
                 "Bad CRC or frame (ECM or BFT mode)");
}

TEST(HangupCodes, Class20IsHex) {
    const HangupCode* c = find_hangup_code(Class2Variant::Class20, "52");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->code, 0x52);
    EXPECT_STREQ(c->text, "No response to MPS repeated 3 times");
    const HangupCode* rxd = find_hangup_code(Class2Variant::Class20, "a0");
    ASSERT_NE(rxd, nullptr);
    EXPECT_STREQ(rxd->text, "Unspecified receive phase D error");
    EXPECT_EQ(find_hangup_code(Class2Variant::Class20, "A0"), rxd);
    // Bad CRC moved to 92 in 2388-B; the Everex codes are gone.
    EXPECT_STREQ(find_hangup_code(Class2Variant::Class20, "92")->text,
                 "Bad CRC or frame (ECM or BFT mode)");
    EXPECT_EQ(find_hangup_code(Class2Variant::Class20, "130"), nullptr);
    // Ringback codes only exist in 2.0.
    EXPECT_EQ(find_hangup_code(Class2Variant::Class20, "4")->failure, FailureClass::NoAnswer);
    EXPECT_EQ(find_hangup_code(Class2Variant::Class2, "4"), nullptr);
}

TEST(HangupCodes, MalformedCodesAreUnknown) {
    for (const char* s : {"", "  ", "x1", "5 2", "1234567", "-1"}) {
        EXPECT_EQ(find_hangup_code(Class2Variant::Class2, s), nullptr) << s;
        EXPECT_EQ(find_hangup_code(Class2Variant::Class20, s), nullptr) << s;
    }
}

TEST(HangupCodes, OutcomesForThePort) {
    CallOutcome ok = hangup_outcome(Class2Variant::Class2, "0", 3);
    EXPECT_TRUE(ok.ok());
    EXPECT_EQ(ok.status, Fps::Completed);
    EXPECT_EQ(ok.pages_done, 3);
    EXPECT_EQ(ok.t30_cause, T30_ERR_OK);

    CallOutcome train = hangup_outcome(Class2Variant::Class20, "27", 0);
    EXPECT_EQ(train.failure, FailureClass::Protocol);
    EXPECT_EQ(train.status, Fps::FatalError);
    EXPECT_EQ(train.t30_cause, T30_ERR_CANNOT_TRAIN);
    EXPECT_TRUE(train.retryable());
    EXPECT_EQ(train.cause_text, "Failure to train at 2400 bit/s or the +FMS rate (+FHS:27)");

    CallOutcome t1 = hangup_outcome(Class2Variant::Class2, "11", 0);
    EXPECT_EQ(t1.status, Fps::NotFaxCall);
    EXPECT_EQ(t1.failure, FailureClass::NoCarrier);
    EXPECT_EQ(t1.t30_cause, T30_ERR_T1_EXPIRED);

    CallOutcome image = hangup_outcome(Class2Variant::Class20, "47", 1);
    EXPECT_EQ(image.failure, FailureClass::Document);
    EXPECT_FALSE(image.retryable());

    CallOutcome aborted = hangup_outcome(Class2Variant::Class2, "2", 0);
    EXPECT_EQ(aborted.failure, FailureClass::Aborted);
    EXPECT_FALSE(aborted.retryable());

    CallOutcome unknown = hangup_outcome(Class2Variant::Class20, "E7", 1);
    EXPECT_EQ(unknown.failure, FailureClass::Protocol);
    EXPECT_TRUE(unknown.retryable());
    EXPECT_EQ(unknown.cause_text, "unknown hang-up code (+FHS:E7)");
    EXPECT_EQ(unknown.pages_done, 1);
}

}  // namespace
}  // namespace faxemu
