// Base64 (RFC 4648, with padding) for documents carried in the control protocol.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxemu::rpc {

std::string base64_encode(const std::uint8_t* data, std::size_t size);
inline std::string base64_encode(const std::vector<std::uint8_t>& data) {
    return base64_encode(data.data(), data.size());
}
// nullopt when `text` is not base64 (white space is skipped).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace faxemu::rpc
