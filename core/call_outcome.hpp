// How a call ended, in faxcom terms (an FPS_* device status) and in T.30 terms
// (spandsp's T30_ERR_* cause), with the failure class the scheduler retries by.
#pragma once

#include <string>

#include "core/fax_codes.hpp"

namespace faxemu {

enum class FailureClass {
    None,          // the fax went through
    Busy,          // the line was busy
    NoAnswer,      // nobody picked up
    NoCarrier,     // answered, but no fax machine spoke
    LineDropped,   // the call dropped part way
    Protocol,      // T.30 failed part way (training, a bad response, a timeout)
    Incompatible,  // the far end cannot take this document: retrying will not help
    Document,      // our document could not be read: retrying will not help
    Aborted,       // cancelled here
};

struct CallOutcome {
    Fps status = Fps::Completed;
    FailureClass failure = FailureClass::None;
    int t30_cause = -1;  // T30_ERR_*, or -1 when the call never reached T.30
    std::string cause_text;
    int pages_done = 0;

    bool ok() const { return failure == FailureClass::None; }
    bool retryable() const;
};

const char* to_string(FailureClass f);

// The outcome of a call that reached T.30 and ended with `cause`.
CallOutcome outcome_from_t30(int cause, int pages_done);
// Outcomes decided on the line before T.30 starts.
CallOutcome line_outcome(Fps status, FailureClass failure, std::string text);

}  // namespace faxemu
