// Decoding of the T.30 DCS frame: the session the sender commanded. spandsp's
// statistics give only a bit rate, so the modulation (V.17 vs V.29 at 9600) and the
// page coding are read from the frame itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace faxemu {

struct DcsInfo {
    int bit_rate = 0;
    std::string modulation;   // "V.17", "V.29", "V.27ter"
    std::string resolution;   // "standard", "fine", "superfine"
    std::string compression;  // "MH", "MR", "MMR"
    bool ecm = false;
};

// `frame` is the HDLC frame as spandsp hands it: address, control, FCF, FIF...
std::optional<DcsInfo> decode_dcs(const std::uint8_t* frame, std::size_t len);

}  // namespace faxemu
