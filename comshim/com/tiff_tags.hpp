// The tags of a TIFF's first page as text, and its page count: what
// FaxTiff.FaxTiff reads from a fax faxd received (core/fax_tiff_tags.md lists
// the tags). A small reader of its own, as the shim is built with MinGW alone,
// without libtiff. Classic TIFF only (faxd writes no BigTIFF).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace faxemu::shim {

struct TiffTags {
    std::map<std::uint16_t, std::string> first_page;  // tag -> value as text
    long pages = 0;
};

// ASCII as its text up to the first NUL; BYTE/SHORT/LONG (and their signed
// forms) as decimal numbers separated by spaces; RATIONAL as "n/d".
// Other types are left out. Throws std::runtime_error for a file that is no
// classic TIFF.
inline TiffTags read_tiff_tags(const std::vector<std::uint8_t>& b) {
    auto bad = [](const std::string& why) { return std::runtime_error("not a TIFF file: " + why); };
    if (b.size() < 8) throw bad("too short");
    const bool little = b[0] == 'I' && b[1] == 'I';
    if (!little && !(b[0] == 'M' && b[1] == 'M')) throw bad("no byte order mark");
    auto u16 = [&](std::size_t at) -> std::uint32_t {
        if (at + 2 > b.size()) throw bad("truncated");
        return little ? b[at] | b[at + 1] << 8 : b[at] << 8 | b[at + 1];
    };
    auto u32 = [&](std::size_t at) -> std::uint32_t {
        if (at + 4 > b.size()) throw bad("truncated");
        return little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
    };
    if (u16(2) != 42) throw bad("not classic TIFF (magic " + std::to_string(u16(2)) + ")");
    TiffTags out;
    std::set<std::uint32_t> seen;  // a directory chain that loops is cut
    for (std::uint32_t ifd = u32(4); ifd != 0 && seen.insert(ifd).second; ++out.pages) {
        const std::uint32_t n = u16(ifd);
        if (out.pages == 0) {
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::size_t e = ifd + 2 + 12 * i;
                const std::uint16_t tag = static_cast<std::uint16_t>(u16(e));
                const std::uint32_t type = u16(e + 2), count = u32(e + 4);
                static const int kSize[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8};
                if (type == 0 || type > 10 || count > b.size()) continue;
                const std::size_t bytes = static_cast<std::size_t>(kSize[type]) * count;
                const std::size_t at = bytes <= 4 ? e + 8 : u32(e + 8);
                if (at + bytes > b.size()) continue;
                std::string text;
                if (type == 2) {  // ASCII
                    text.assign(reinterpret_cast<const char*>(&b[at]), bytes);
                    text = text.substr(0, text.find('\0'));
                } else {
                    for (std::uint32_t k = 0; k < count; ++k) {
                        std::string v;
                        switch (type) {
                            case 1:
                                v = std::to_string(b[at + k]);
                                break;
                            case 6:
                                v = std::to_string(static_cast<std::int8_t>(b[at + k]));
                                break;
                            case 3:
                                v = std::to_string(u16(at + 2 * k));
                                break;
                            case 8:
                                v = std::to_string(static_cast<std::int16_t>(u16(at + 2 * k)));
                                break;
                            case 4:
                                v = std::to_string(u32(at + 4 * k));
                                break;
                            case 9:
                                v = std::to_string(static_cast<std::int32_t>(u32(at + 4 * k)));
                                break;
                            case 5:
                                v = std::to_string(u32(at + 8 * k)) + "/" +
                                    std::to_string(u32(at + 8 * k + 4));
                                break;
                            default:
                                break;
                        }
                        if (v.empty()) break;
                        text += (k ? " " : "") + v;
                    }
                    if (text.empty()) continue;
                }
                out.first_page[tag] = text;
            }
        }
        ifd = u32(ifd + 2 + 12 * n);
    }
    if (out.pages == 0) throw bad("no page");
    return out;
}

}  // namespace faxemu::shim
