#include "core/dcs.hpp"

namespace faxemu {

namespace {
constexpr std::uint8_t kFcfDcs = 0x82;  // DCS, with or without the X bit
}

std::optional<DcsInfo> decode_dcs(const std::uint8_t* frame, std::size_t len) {
    if (len < 5 || (frame[2] & 0xFE) != kFcfDcs) return std::nullopt;
    // FIF octet n holds DCS bits 8n-7 .. 8n, least significant bit first.
    auto bit = [&](int n) -> bool {
        std::size_t octet = 3 + static_cast<std::size_t>((n - 1) / 8);
        return octet < len && (frame[octet] >> ((n - 1) % 8)) & 1;
    };
    DcsInfo info;
    // Bits 11-14: data signalling rate (T.30 Table 2).
    int rate = (bit(11) ? 1 : 0) | (bit(12) ? 2 : 0) | (bit(13) ? 4 : 0) | (bit(14) ? 8 : 0);
    switch (rate) {
        case 0x0:
            info = {2400, "V.27ter", "", "", false};
            break;
        case 0x2:
            info = {4800, "V.27ter", "", "", false};
            break;
        case 0x1:
            info = {9600, "V.29", "", "", false};
            break;
        case 0x3:
            info = {7200, "V.29", "", "", false};
            break;
        case 0x8:
            info = {14400, "V.17", "", "", false};
            break;
        case 0xA:
            info = {12000, "V.17", "", "", false};
            break;
        case 0x9:
            info = {9600, "V.17", "", "", false};
            break;
        case 0xB:
            info = {7200, "V.17", "", "", false};
            break;
        default:
            info = {0, "unknown", "", "", false};
            break;
    }
    // Bit 15: 7.7 lines/mm; bit 41 (extension octet): superfine.
    info.resolution = bit(41) ? "superfine" : bit(15) ? "fine" : "standard";
    info.compression = bit(31) ? "MMR" : bit(16) ? "MR" : "MH";
    info.ecm = bit(27);
    return info;
}

}  // namespace faxemu
