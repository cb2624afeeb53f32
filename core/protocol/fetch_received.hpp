// Fetching a received fax as a person expects it: received.fetch answers in
// chunks of at most 4 MiB, and for a PDF or PNG first answers "converting"
// while faxd makes it on its worker pool, so a client that wants the file
// (faxctl received --fetch) loops here until it has every byte.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

#include "core/protocol/client.hpp"
#include "core/protocol/fax_file_format.hpp"

namespace faxemu::rpc {

// Writes fax `id` as `format` to `out` (PNG: page `page`, from 1; 0 for the
// other formats), asking again after short pauses while faxd converts.
// Returns the file's size. Throws RpcError: faxd's refusal or conversion
// error; kIoError when the conversion has not ended within `timeout`, or a
// chunk is not base64.
std::int64_t fetch_received(FaxClient& client, std::int64_t id, FaxFileFormat format,
                            std::int32_t page, std::ostream& out,
                            std::chrono::milliseconds timeout = std::chrono::minutes(10));

}  // namespace faxemu::rpc
