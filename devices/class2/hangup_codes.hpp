// The hang-up codes a Class 2 modem reports in +FHNG:<decimal> (SP-2388/90 and
// 2388-A numbering, plus Everex's vendor codes 128-135) and a Class 2.0 modem in
// +FHS:<hex> (2388-B / T.32 numbering), each with what it means, the device
// status and failure class the port reports, the nearest T.30 cause and whether
// trying the call again makes sense.
#pragma once

#include <span>
#include <string_view>

#include "core/call_outcome.hpp"
#include "devices/class2/class2_commands.hpp"

namespace faxemu {

struct HangupCode {
    int code;  // the value as a number: decimal for Class 2, hexadecimal for Class 2.0
    const char* text;
    Fps status;
    FailureClass failure;
    int t30_cause;  // the nearest spandsp T30_ERR_*
    bool retry;     // a later attempt may succeed (always CallOutcome::retryable())
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

}  // namespace faxemu
