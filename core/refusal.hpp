// A FaxError that names which refusal it is, for the few a client must tell
// apart from others of the same code: the COM shim gives each its own HRESULT
// (a deleted job, no free job id, a Windows path faxd cannot map). faxd sends
// the name as the JSON-RPC error's data {"reason": ...}; the names are stable
// and listed in core/protocol/PROTOCOL.md ("Error data").
#pragma once

#include <string>

#include "core/error.hpp"

namespace faxemu {

namespace reason {
inline constexpr const char* kJobDeleted = "job_deleted";      // NotFound
inline constexpr const char* kNoFreeJobId = "no_free_job_id";  // Io
inline constexpr const char* kWindowsPath = "windows_path";    // InvalidParameter
}  // namespace reason

class Refusal : public FaxError {
  public:
    Refusal(ErrorCode code, const std::string& message, const char* reason)
        : FaxError(code, message), reason_(reason) {}
    // One of reason::k*.
    const char* reason() const { return reason_; }

  private:
    const char* reason_;
};

}  // namespace faxemu
