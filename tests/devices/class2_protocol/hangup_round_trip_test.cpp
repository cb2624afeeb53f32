// The virtual modem and the driver read one hang-up table: every T30_ERR_* the
// virtual modem can report (spandsp's causes, in every phase and direction)
// becomes a +FHNG/+FHS code that the driver reads back with the failure class
// and retry decision the port would have got from the cause itself
// (outcome_from_t30, as on a simulated port).
//
// The cause itself cannot always survive: Class 2's ~50 codes are coarser than
// spandsp's ~60 causes (RX_T2EXPD, RX_DCNFAX and RX_DCNPHD are all "unspecified
// receive phase D error"), so the driver reads the code's nearest cause. And one
// cause loses its class: a dropped line (T30_ERR_CALLDROPPED) is reported as the
// phase the call died in ("unspecified transmit phase C error"), as modems do,
// which the driver reads as a protocol failure, not LineDropped. Both are
// retried, so the scheduler's decision survives.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <string>

#include "core/call_outcome.hpp"
#include "devices/class2_protocol/hangup_codes.hpp"

namespace faxemu {
namespace {

constexpr Class2Variant kVariants[] = {Class2Variant::Class2, Class2Variant::Class20};
constexpr FaxPhase kPhases[] = {FaxPhase::A, FaxPhase::B, FaxPhase::C, FaxPhase::D, FaxPhase::E};

std::string digits(Class2Variant v, int code) {
    const std::string printed = format_hangup(v, code);
    return printed.substr(printed.find(':') + 1);
}

TEST(HangupRoundTrip, EveryCauseKeepsItsFailureClassAndRetryDecision) {
    for (int cause = T30_ERR_OK; cause <= T30_ERR_CSA_UNACCEPTABLE; ++cause) {
        const CallOutcome want = outcome_from_t30(cause, 0);
        for (const Class2Variant v : kVariants)
            for (const bool tx : {true, false})
                for (const FaxPhase phase : kPhases) {
                    const int code = hangup_code_for_t30(v, cause, tx, phase);
                    const std::string printed = format_hangup(v, code);
                    const CallOutcome got = hangup_outcome(v, digits(v, code), 0);
                    const std::string where = std::string(t30_completion_code_to_str(cause)) +
                                              (tx ? ", sending" : ", receiving") + ", phase " +
                                              std::to_string(static_cast<int>(phase)) + ": " +
                                              printed + " read as " + got.cause_text;
                    ASSERT_NE(find_hangup_code(v, digits(v, code)), nullptr) << where;
                    EXPECT_EQ(got.retryable(), want.retryable()) << where;
                    if (cause == T30_ERR_CALLDROPPED && phase != FaxPhase::E) continue;
                    EXPECT_EQ(got.failure, want.failure) << where << ": " << to_string(got.failure)
                                                         << ", want " << to_string(want.failure);
                }
    }
}

// Where the table has a code for the cause, the modem reports that code, so the
// driver names the cause the modem's T.30 ended with.
TEST(HangupRoundTrip, CausesTheTableNamesSurvive) {
    struct Case {
        int cause;
        bool tx;
    };
    for (const Case c : {Case{T30_ERR_TX_BADDCS, true}, Case{T30_ERR_TX_NODIS, true},
                         Case{T30_ERR_TX_GOTDCN, true}, Case{T30_ERR_TX_PHBDEAD, true},
                         Case{T30_ERR_TX_PHDDEAD, true}, Case{T30_ERR_TX_INVALRSP, true},
                         Case{T30_ERR_TX_BADPG, true}, Case{T30_ERR_CANNOT_TRAIN, true},
                         Case{T30_ERR_T1_EXPIRED, true}, Case{T30_ERR_INCOMPATIBLE, true},
                         Case{T30_ERR_RX_ECMPHD, false}, Case{T30_ERR_RX_NOEOL, false},
                         Case{T30_ERR_RX_NOFAX, false}, Case{T30_ERR_RX_DCNWHY, false},
                         Case{T30_ERR_RX_INVALCMD, false}, Case{T30_ERR_RX_T2EXPFAX, false}})
        for (const Class2Variant v : kVariants) {
            const int code = hangup_code_for_t30(v, c.cause, c.tx, FaxPhase::B);
            const CallOutcome got = hangup_outcome(v, digits(v, code), 0);
            EXPECT_EQ(got.t30_cause, c.cause)
                << t30_completion_code_to_str(c.cause) << ": " << format_hangup(v, code)
                << " read as " << got.cause_text;
        }
}

// Bad CRC is 94 in Class 2 and 92 in Class 2.0 (the one renumbering besides the
// radix); receive phase D is 100-103 and A0-A3.
TEST(HangupRoundTrip, RenumberedCodes) {
    EXPECT_EQ(format_hangup(Class2Variant::Class2,
                            hangup_code_for_t30(Class2Variant::Class2, T30_ERR_RX_ECMPHD, false,
                                                FaxPhase::C)),
              "+FHNG:94");
    EXPECT_EQ(format_hangup(Class2Variant::Class20,
                            hangup_code_for_t30(Class2Variant::Class20, T30_ERR_RX_ECMPHD, false,
                                                FaxPhase::C)),
              "+FHS:92");
    EXPECT_EQ(format_hangup(Class2Variant::Class2, hangup_code_in(Class2Variant::Class2, 0xA0)),
              "+FHNG:100");
    EXPECT_EQ(format_hangup(Class2Variant::Class20, hangup_code_in(Class2Variant::Class20, 0xA0)),
              "+FHS:A0");
}

// A code one variant lacks is reported as its stand-in, which the driver reads
// with the same failure class and retry decision.
TEST(HangupRoundTrip, StandInsKeepTheFailureClass) {
    int stand_ins = 0;
    for (const HangupEntry& e : hangup_table()) {
        if (e.class2 >= 0 && e.class20 >= 0) {
            EXPECT_EQ(e.stand_in, -1) << e.text;
            continue;
        }
        if (e.stand_in < 0) continue;
        ++stand_ins;
        const Class2Variant other = e.class2 < 0 ? Class2Variant::Class2 : Class2Variant::Class20;
        const HangupCode* s = find_hangup_code(other, digits(other, e.stand_in));
        ASSERT_NE(s, nullptr) << e.text;
        EXPECT_EQ(s->failure, e.failure) << e.text << " -> " << s->text;
        EXPECT_EQ(s->retry, e.retry) << e.text << " -> " << s->text;
    }
    EXPECT_EQ(stand_ins, 15);
}

}  // namespace
}  // namespace faxemu
