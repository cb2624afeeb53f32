// Errors raised by the model and engine. The code is stable (clients map it to
// faxcom/winfax errors); the message names the file, port or job concerned.
#pragma once

#include <stdexcept>
#include <string>

namespace faxemu {

enum class ErrorCode {
    InvalidParameter,  // ERROR_INVALID_PARAMETER: a value out of range or malformed
    AccessDenied,      // ERROR_ACCESS_DENIED: the caller lacks the right
    BadDocument,       // the document cannot be faxed (not a TIFF, not bilevel, ...)
    NotFound,          // ERROR_BAD_UNIT and friends: no such port, job or method
    DeviceInUse,       // ERROR_DEVICE_IN_USE: the port is in a call
    Io,                // a file could not be read or written
};

const char* to_string(ErrorCode code);

class FaxError : public std::runtime_error {
  public:
    FaxError(ErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const { return code_; }

  private:
    ErrorCode code_;
};

}  // namespace faxemu
