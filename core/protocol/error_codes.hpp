// The control protocol's error codes: JSON-RPC 2.0's own, then faxemu's. They
// are stable: clients (faxctl, the COM shim) map them to their own errors.
#pragma once

namespace faxemu::rpc {

inline constexpr int kParseError = -32700;      // not JSON
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a JSON-RPC 2.0 request
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;  // missing or wrongly typed parameter
inline constexpr int kInternalError = -32603;

inline constexpr int kUnauthenticated = -32001;  // log in first
inline constexpr int kAccessDenied = -32002;     // the user lacks the right
inline constexpr int kNotFound = -32003;         // no such port, job, fax, method
inline constexpr int kInvalidValue = -32004;     // a value out of range or malformed
inline constexpr int kBadDocument = -32005;      // the document cannot be faxed
inline constexpr int kDeviceInUse = -32006;
inline constexpr int kTooLarge = -32007;  // a message or upload over the limit
inline constexpr int kIoError = -32010;

}  // namespace faxemu::rpc
