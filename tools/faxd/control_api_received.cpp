// received.list, received.get, received.fetch (PROTOCOL.md "Received
// faxes"): what came in, and its file in pieces as TIFF, PDF or PNG.
#include <algorithm>
#include <fstream>

#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/protocol/base64.hpp"
#include "core/protocol/fax_file_format.hpp"
#include "core/protocol/json_rpc.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

namespace {

constexpr std::size_t kMaxFetch = 4u << 20;
// received.fetch thumbnail: a viewer's page strip (PROTOCOL.md).
constexpr std::uint32_t kThumbnailWidth = 160;

}  // namespace

void Daemon::register_received_methods(RpcServer& rpc) {
    using Session = RpcServer::Session;
    rpc.handle("received.list", [this](Session& s, const json&) {
        require(s.rights, access::JobQuery, "received.list");
        json out = json::array();
        for (const ReceivedFax& f : store_.received_faxes()) out.push_back(fax_json(f));
        return out;
    });
    auto fax_of = [this](const json& params) {
        const std::int64_t id = int_param(params, "id");
        auto f = store_.received(id);
        if (!f) throw FaxError(ErrorCode::NotFound, "no received fax " + std::to_string(id));
        return *f;
    };
    rpc.handle("received.get", [fax_of](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "received.get");
        return fax_json(fax_of(params));
    });
    rpc.handle("received.fetch", [this, fax_of](Session& s, const json& params) {
        require(s.rights, access::JobQuery, "received.fetch");
        const ReceivedFax f = fax_of(params);
        const std::string fax = "fax " + std::to_string(f.id);
        if (!f.end) throw FaxError(ErrorCode::DeviceInUse, fax + " is still being received");
        const auto offset = opt_int_param(params, "offset").value_or(0);
        const auto length =
            opt_int_param(params, "length").value_or(static_cast<std::int64_t>(kMaxFetch));
        if (offset < 0 || length <= 0 || static_cast<std::size_t>(length) > kMaxFetch)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: offset >= 0 and 0 < length <= 4 MiB");
        FaxFileFormat format = FaxFileFormat::Tiff;
        if (auto name = opt_string_param(params, "format")) {
            auto parsed = parse_fax_file_format(*name);
            if (!parsed)
                throw FaxError(ErrorCode::InvalidParameter,
                               "received.fetch: format must be tiff, pdf or png, not " +
                                   quoted_excerpt(*name));
            format = *parsed;
        }
        const auto page = opt_int_param<std::int32_t>(params, "page");
        if (page && format != FaxFileFormat::Png)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: page is for format png (a PDF or TIFF has every page)");
        if (format == FaxFileFormat::Png && (page.value_or(1) < 1 || page.value_or(1) > f.pages))
            throw FaxError(ErrorCode::InvalidParameter, fax + " has " + std::to_string(f.pages) +
                                                            (f.pages == 1 ? " page" : " pages") +
                                                            ", no page " +
                                                            std::to_string(page.value_or(1)));
        const bool thumbnail = params.value("thumbnail", false);
        if (thumbnail && format != FaxFileFormat::Png)
            throw FaxError(ErrorCode::InvalidParameter,
                           "received.fetch: thumbnail is for format png");
        std::filesystem::path file = f.file;
        if (format != FaxFileFormat::Tiff) {
            // Made on the worker pool; the client asks again until it is there.
            auto ready = exports_.file(
                f, format, page.value_or(1),
                thumbnail ? std::optional<std::uint32_t>(kThumbnailWidth) : std::nullopt);
            if (!ready)
                return json{
                    {"converting", true}, {"format", format_name(format)}, {"offset", offset}};
            file = *ready;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) throw FaxError(ErrorCode::Io, fax + ": its file is gone");
        in.seekg(0, std::ios::end);
        const auto size = static_cast<std::int64_t>(in.tellg());
        std::vector<std::uint8_t> buf(
            static_cast<std::size_t>(std::max<std::int64_t>(0, std::min(length, size - offset))));
        in.seekg(offset);
        in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
        return json{{"data", rpc::base64_encode(buf)},
                    {"format", format_name(format)},
                    {"offset", offset},
                    {"size", size},
                    {"eof", offset + static_cast<std::int64_t>(buf.size()) >= size}};
    });
}

}  // namespace faxemu::faxd
