// The hang-up codes of Class 2 (+FHNG:<decimal>, SP-2388-A numbering plus
// Everex's vendor codes 128-135) and Class 2.0 (+FHS:<hex>, EIA-592 / T.32
// numbering) in one table, read both ways: the driver turns the code a modem
// prints into the call's outcome, the virtual modem turns spandsp's T30_ERR_*
// cause into the code it prints. One table, so the two cannot disagree.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/call_outcome.hpp"
#include "devices/class2_protocol/class2_commands.hpp"

namespace faxemu {

// One meaning, with its number in each variant that has it.
struct HangupEntry {
    int class2;              // +FHNG: value (decimal), -1 when Class 2 has no such code
    int class20;             // +FHS: value (hexadecimal), -1 when Class 2.0 has none
    const char* text;        // what it means (Class 2.0's command names where they differ:
    const char* text2;       // `text2` is Class 2's wording, nullptr when the same)
    const char* defined_in;  // where the code is defined (see hangup_codes.cpp)
    Fps status;
    FailureClass failure;
    int t30_cause;  // the nearest spandsp T30_ERR_*
    bool retry;     // a later attempt may succeed (always CallOutcome::retryable())
    // The code the other variant prints for this meaning when it has none of its
    // own (same failure class and retry decision), -1 when there is none.
    int stand_in;
};

// Every entry, in the order of the T.32 table.
std::span<const HangupEntry> hangup_table();

// One variant's view of the table.
struct HangupCode {
    int code;  // the value as a number: decimal for Class 2, hexadecimal for Class 2.0
    const char* text;
    Fps status;
    FailureClass failure;
    int t30_cause;
    bool retry;
};

// Every code of a variant, in numeric order.
std::span<const HangupCode> hangup_codes(Class2Variant v);

// The code as the modem printed it after "+FHNG:"/"+FHS:" (blanks and leading
// zeros allowed, hex digits in either case); nullptr when unknown or malformed.
const HangupCode* find_hangup_code(Class2Variant v, std::string_view printed);

// What the call amounts to. Code 0 is a normal end: Completed when the call did
// its work, `pages_done` pages. An unknown code is a retryable protocol failure
// naming the code. cause_text reads e.g. "No response to MPS repeated 3 times
// (+FHNG:52)".
CallOutcome hangup_outcome(Class2Variant v, std::string_view printed, int pages_done);

// --- the modem's side ------------------------------------------------------------

enum class FaxPhase { A, B, C, D, E };

// The code a modem of variant `v` reports for the entry whose Class 2.0 code is
// `class20` (its stand-in when `v` has no such code).
int hangup_code_in(Class2Variant v, int class20);

// The code a modem of variant `v` reports when its T.30 ended with `t30_cause`
// while `transmitting` in `phase`. Class 2's codes are coarser than spandsp's
// causes: the code keeps the failure class and the retry decision, not always
// the cause (see tests/devices/class2_protocol/hangup_round_trip_test.cpp).
int hangup_code_for_t30(Class2Variant v, int t30_cause, bool transmitting, FaxPhase phase);

// "+FHNG:27" in Class 2, "+FHS:A0" in Class 2.0.
std::string format_hangup(Class2Variant v, int code);

}  // namespace faxemu
