// Fuzzes DLE transparency (devices/serial/dle): decoding what a modem sends in
// fax data, whole or split into reads anywhere, and the round trip of stuffing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "devices/serial/dle.hpp"

namespace {

using namespace faxemu;

struct Decoded {
    std::vector<std::uint8_t> data;
    std::vector<std::uint8_t> codes;
    std::size_t consumed = 0;
    bool end = false;
};

// Feeds `input` in pieces of at most `piece` bytes until <DLE><ETX>.
Decoded decode(const std::uint8_t* input, std::size_t n, DleDecoder::Options options,
               std::size_t piece) {
    Decoded out;
    DleDecoder decoder(options);
    decoder.set_code_handler([&](std::uint8_t code) { out.codes.push_back(code); });
    while (out.consumed < n && !out.end) {
        const std::size_t len = std::min(piece, n - out.consumed);
        const DleDecoder::Result r = decoder.feed(input + out.consumed, len, out.data);
        if (r.consumed > len || (!r.end && r.consumed != len)) std::abort();
        out.consumed += r.consumed;
        out.end = r.end;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    DleDecoder::Options options;
    options.sub_is_two_dles = (data[0] & 1) != 0;
    options.tolerate_undoubled_dle = (data[0] & 2) != 0;
    const std::size_t piece = 1 + data[1] % 16;
    const std::uint8_t* input = data + 2;
    const std::size_t n = size - 2;

    // Split reads decode exactly as one read does.
    const Decoded whole = decode(input, n, options, n == 0 ? 1 : n);
    const Decoded split = decode(input, n, options, piece);
    if (whole.data != split.data || whole.codes != split.codes ||
        whole.consumed != split.consumed || whole.end != split.end)
        std::abort();

    // Stuffed data decodes back to itself, ending exactly at its <DLE><ETX>.
    const std::vector<std::uint8_t> stuffed = dle_stuff(input, n);
    const Decoded back = decode(stuffed.data(), stuffed.size(), options, piece);
    if (!back.end || back.consumed != stuffed.size() || !back.codes.empty() ||
        back.data != std::vector<std::uint8_t>(input, input + n))
        std::abort();
    return 0;
}
