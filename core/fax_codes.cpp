#include "core/fax_codes.hpp"

namespace faxemu {

std::string_view to_string(Fps status) {
    switch (status) {
        case Fps::Dialing:
            return "Dialing";
        case Fps::Sending:
            return "Sending";
        case Fps::Receiving:
            return "Receiving";
        case Fps::Completed:
            return "Completed";
        case Fps::Handled:
            return "Handled";
        case Fps::Unavailable:
            return "Unavailable";
        case Fps::Busy:
            return "Busy";
        case Fps::NoAnswer:
            return "No Answer";
        case Fps::BadAddress:
            return "Bad Address";
        case Fps::NoDialTone:
            return "No Dial Tone";
        case Fps::Disconnected:
            return "Disconnected";
        case Fps::FatalError:
            return "Fatal Error";
        case Fps::NotFaxCall:
            return "Not a Fax Call";
        case Fps::CallDelayed:
            return "Call Delayed";
        case Fps::CallBlacklisted:
            return "Call Blacklisted";
        case Fps::Initializing:
            return "Initializing";
        case Fps::Offline:
            return "Offline";
        case Fps::Ringing:
            return "Ringing";
        case Fps::Available:
            return "Available";
        case Fps::Aborting:
            return "Aborting";
        case Fps::Routing:
            return "Routing";
        case Fps::Answered:
            return "Answered";
    }
    return "Unknown";
}

}  // namespace faxemu
