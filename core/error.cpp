#include "core/error.hpp"

namespace faxemu {

const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidParameter:
            return "invalid parameter";
        case ErrorCode::AccessDenied:
            return "access denied";
        case ErrorCode::BadDocument:
            return "bad document";
        case ErrorCode::NotFound:
            return "not found";
        case ErrorCode::DeviceInUse:
            return "device in use";
        case ErrorCode::Io:
            return "i/o error";
    }
    return "unknown error";
}

}  // namespace faxemu
