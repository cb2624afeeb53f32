// JSON-RPC 2.0 messages as the control protocol frames them: one JSON object
// per '\n'-terminated line (PROTOCOL.md). Shared by the server and the client
// library, so nothing here depends on a socket.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/protocol/error_codes.hpp"

namespace faxemu::rpc {

using json = nlohmann::json;

// An error answer: the server's code and message, or a local one (kIoError for
// a lost connection). `data` is the optional JSON-RPC error data (null if none).
class RpcError : public std::runtime_error {
  public:
    RpcError(int code, const std::string& message, json data = nullptr)
        : std::runtime_error(message), code_(code), data_(std::move(data)) {}
    int code() const { return code_; }
    const json& data() const { return data_; }

  private:
    int code_;
    json data_;
};

// A call that wants an answer. `params` is as sent (an absent member is an
// empty object); the server, not the parser, insists that it be an object.
struct Request {
    json id;
    std::string method;
    json params;
};

// A call without an id: nobody answers it (server pushes, or a client's fire-and-forget).
struct Notification {
    std::string method;
    json params;
};

// An answer: `error` is set, or `result` holds the value.
struct Response {
    json id;
    json result;
    std::optional<RpcError> error;
};

// A line that is not a message: kParseError (not JSON) or kInvalidRequest (JSON,
// but not JSON-RPC 2.0). `id` is the request's id when it could be read, else null.
struct Malformed {
    int code;
    std::string message;
    json id;
};

using Message = std::variant<Request, Notification, Response, Malformed>;

// Classifies one line (without its '\n'). Never throws.
Message parse_message(std::string_view line);

json make_request(const json& id, const std::string& method, const json& params);
json make_notification(const std::string& method, const json& params);
json make_result(const json& id, json result);
json make_error(const json& id, int code, const std::string& message, const json& data = nullptr);

// The message as one line ending in '\n'. Invalid UTF-8 in strings is replaced
// (U+FFFD) rather than thrown on, so a bad file name cannot break an answer.
std::string to_line(const json& message);

// The id of a message from the first bytes of its line, when the line starts
// with `{"id":<integer or plain string>` as nlohmann's sorted keys write
// requests and results; else null. Lets an over-limit message still be
// answered to the right caller.
json peek_id(std::string_view head);

// Splits a byte stream into lines of at most `max_line` bytes (excluding '\n';
// a trailing '\r' is dropped). A longer line is reported once, as soon as it
// passes the limit, and its bytes up to the next '\n' are skipped, after which
// splitting resumes: one bad message does not cost the connection.
class LineBuffer {
  public:
    struct Line {
        std::string text;        // the line, or its first bytes (kHeadBytes) when too_large
        bool too_large = false;  // the line passed max_line and is being skipped
    };
    static constexpr std::size_t kHeadBytes = 256;

    explicit LineBuffer(std::size_t max_line) : max_line_(max_line) {}

    void append(std::string_view bytes);
    // A new limit for what is still to come (a session allows longer lines after login).
    void set_max_line(std::size_t max_line) { max_line_ = max_line; }
    // The next complete line or oversize report, in stream order.
    std::optional<Line> next();
    // Bytes of an unfinished line held (0 while skipping an oversize one).
    std::size_t pending_bytes() const { return partial_.size(); }

  private:
    std::size_t max_line_;
    std::string partial_;
    bool skipping_ = false;
    std::deque<Line> ready_;
};

}  // namespace faxemu::rpc
