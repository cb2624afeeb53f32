// The web console's files (tools/faxd/web/), built into faxd by a CMake step
// (embed_web_assets.cmake), so that faxd serves them with nothing to install
// and nothing fetched from elsewhere.
#pragma once

#include <span>
#include <string_view>

namespace faxemu::faxd {

struct WebAsset {
    std::string_view name;   // relative to tools/faxd/web/: "index.html", "icons/port.svg"
    std::string_view bytes;  // the file's content
};

std::span<const WebAsset> web_assets();

}  // namespace faxemu::faxd
