#include "core/call_outcome.hpp"

#include <spandsp.h>

#include "core/t30_session.hpp"

namespace faxemu {

bool CallOutcome::retryable() const {
    switch (failure) {
        case FailureClass::Busy:
        case FailureClass::NoAnswer:
        case FailureClass::NoCarrier:
        case FailureClass::LineDropped:
        case FailureClass::Protocol:
            return true;
        default:
            return false;
    }
}

const char* to_string(FailureClass f) {
    switch (f) {
        case FailureClass::None:
            return "none";
        case FailureClass::Busy:
            return "busy";
        case FailureClass::NoAnswer:
            return "no answer";
        case FailureClass::NoCarrier:
            return "no carrier";
        case FailureClass::LineDropped:
            return "line dropped";
        case FailureClass::Protocol:
            return "protocol";
        case FailureClass::Incompatible:
            return "incompatible";
        case FailureClass::Document:
            return "document";
        case FailureClass::Aborted:
            return "aborted";
    }
    return "unknown";
}

CallOutcome outcome_from_t30(int cause, int pages_done) {
    CallOutcome o;
    o.t30_cause = cause;
    o.cause_text = t30_cause_text(cause);
    o.pages_done = pages_done;
    switch (cause) {
        case T30_ERR_OK:
            o.status = Fps::Completed;
            o.failure = FailureClass::None;
            break;
        case T30_ERR_CALLDROPPED:
            o.status = Fps::Disconnected;
            o.failure = FailureClass::LineDropped;
            break;
        case T30_ERR_CEDTONE:
        case T30_ERR_T0_EXPIRED:
        case T30_ERR_T1_EXPIRED:
            o.status = Fps::NotFaxCall;
            o.failure = FailureClass::NoCarrier;
            break;
        case T30_ERR_INCOMPATIBLE:
        case T30_ERR_RX_INCAPABLE:
        case T30_ERR_TX_INCAPABLE:
        case T30_ERR_NORESSUPPORT:
        case T30_ERR_NOSIZESUPPORT:
            o.status = Fps::FatalError;
            o.failure = FailureClass::Incompatible;
            break;
        case T30_ERR_FILEERROR:
        case T30_ERR_NOPAGE:
        case T30_ERR_BADTIFF:
        case T30_ERR_BADPAGE:
        case T30_ERR_BADTAG:
        case T30_ERR_BADTIFFHDR:
        case T30_ERR_NOMEM:
            o.status = Fps::FatalError;
            o.failure = FailureClass::Document;
            break;
        default:
            o.status = Fps::FatalError;
            o.failure = FailureClass::Protocol;
            break;
    }
    return o;
}

CallOutcome line_outcome(Fps status, FailureClass failure, std::string text) {
    CallOutcome o;
    o.status = status;
    o.failure = failure;
    o.cause_text = std::move(text);
    return o;
}

}  // namespace faxemu
