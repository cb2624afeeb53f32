#include "core/protocol/fetch_received.hpp"

#include <algorithm>
#include <string>
#include <thread>

#include "core/protocol/base64.hpp"
#include "core/protocol/error_codes.hpp"

namespace faxemu::rpc {

std::int64_t fetch_received(FaxClient& client, std::int64_t id, FaxFileFormat format,
                            std::int32_t page, std::ostream& out,
                            std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    json params = {{"id", id}};
    // Without `format` the request is what older faxd versions know: the TIFF.
    if (format != FaxFileFormat::Tiff) params["format"] = format_name(format);
    if (format == FaxFileFormat::Png) params["page"] = page;
    // Polled, as submit_and_wait polls a converting job: short at first, as a
    // fax converts in well under a second.
    auto pause = std::chrono::milliseconds(10);
    std::int64_t offset = 0;
    std::int64_t size = 0;
    for (;;) {
        params["offset"] = offset;
        json chunk = client.call("received.fetch", params);
        if (chunk.value("converting", false)) {
            if (std::chrono::steady_clock::now() >= end)
                throw RpcError(kIoError, "fax " + std::to_string(id) + ": still being made " +
                                             std::string(format_name(format)) + " after " +
                                             std::to_string(timeout.count() / 1000) + " s");
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(250));
            continue;
        }
        auto bytes = base64_decode(chunk.at("data").get<std::string>());
        if (!bytes) throw RpcError(kIoError, "faxd sent a chunk that is not base64");
        out.write(reinterpret_cast<const char*>(bytes->data()),
                  static_cast<std::streamsize>(bytes->size()));
        offset += static_cast<std::int64_t>(bytes->size());
        size = chunk.at("size").get<std::int64_t>();
        if (chunk.at("eof").get<bool>() || bytes->empty()) return size;
    }
}

}  // namespace faxemu::rpc
