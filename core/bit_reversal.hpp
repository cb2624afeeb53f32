// Reverses the bit order of bytes: fax data travels least significant bit first
// on the line, TIFF FillOrder MSB2LSB and some modems' DTE link (+FBOR/+FBO,
// Class 1 quirks) carry it most significant bit first. One definition for the
// Class 1 and Class 2 drivers and the virtual modems.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace faxemu {

constexpr std::uint8_t reverse_bits(std::uint8_t b) {
    b = static_cast<std::uint8_t>((b & 0xF0u) >> 4 | (b & 0x0Fu) << 4);
    b = static_cast<std::uint8_t>((b & 0xCCu) >> 2 | (b & 0x33u) << 2);
    b = static_cast<std::uint8_t>((b & 0xAAu) >> 1 | (b & 0x55u) << 1);
    return b;
}

// Every byte of `data`, in place.
constexpr void reverse_bits(std::span<std::uint8_t> data) {
    for (std::uint8_t& b : data) b = reverse_bits(b);
}

}  // namespace faxemu
