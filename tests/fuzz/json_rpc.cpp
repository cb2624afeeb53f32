// Fuzzes the control protocol's framing and parsing (core/protocol/json_rpc):
// the bytes any client, logged in or not, can send. parse_message promises never
// to throw, so an exception escaping it is a finding (std::terminate aborts).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "core/protocol/json_rpc.hpp"

namespace {

using namespace faxemu::rpc;

// What the server does with one line: parse it, and answer it (the answer must
// serialise whatever the parser let through).
void serve(std::string_view line) {
    const Message message = parse_message(line);
    if (const auto* bad = std::get_if<Malformed>(&message)) {
        (void)to_line(make_error(bad->id, bad->code, bad->message));
    } else if (const auto* request = std::get_if<Request>(&message)) {
        (void)to_line(make_result(request->id, request->params));
    } else if (const auto* response = std::get_if<Response>(&message)) {
        (void)to_line(response->error ? make_error(response->id, response->error->code(),
                                                   response->error->what(), response->error->data())
                                      : make_result(response->id, response->result));
    } else if (const auto* note = std::get_if<Notification>(&message)) {
        (void)to_line(make_notification(note->method, note->params));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    // The whole input as one line.
    serve(bytes);
    (void)peek_id(bytes.substr(0, LineBuffer::kHeadBytes));

    // The input as a stream: split into lines under a small limit (from the first
    // byte), fed in two reads split where the second byte says.
    if (size < 2) return 0;
    const std::size_t max_line = 8 + data[0] * 2u;
    const std::string_view stream = bytes.substr(2);
    const std::size_t cut = stream.empty() ? 0 : data[1] % (stream.size() + 1);
    LineBuffer buffer(max_line);
    buffer.append(stream.substr(0, cut));
    if (buffer.pending_bytes() > max_line) std::abort();
    buffer.append(stream.substr(cut));
    if (buffer.pending_bytes() > max_line) std::abort();
    while (auto line = buffer.next()) {
        if (line->too_large) {
            if (line->text.size() > LineBuffer::kHeadBytes) std::abort();
            (void)peek_id(line->text);
        } else {
            if (line->text.size() > max_line) std::abort();
            serve(line->text);
        }
    }
    return 0;
}
