#include "devices/serial/dle.hpp"

namespace faxemu {

void dle_stuff_append(std::vector<std::uint8_t>& out, const std::uint8_t* data, std::size_t n) {
    out.reserve(out.size() + n + n / 16 + 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(data[i]);
        if (data[i] == dle::DLE) out.push_back(dle::DLE);
    }
}

void dle_append_end(std::vector<std::uint8_t>& out) {
    out.push_back(dle::DLE);
    out.push_back(dle::ETX);
}

std::vector<std::uint8_t> dle_stuff(const std::uint8_t* data, std::size_t n, bool end) {
    std::vector<std::uint8_t> out;
    dle_stuff_append(out, data, n);
    if (end) dle_append_end(out);
    return out;
}

DleDecoder::Result DleDecoder::feed(const std::uint8_t* data, std::size_t n,
                                    std::vector<std::uint8_t>& out) {
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t c = data[i++];
        if (!pending_dle_) {
            if (c == dle::DLE)
                pending_dle_ = true;
            else
                out.push_back(c);
            continue;
        }
        pending_dle_ = false;
        if (c == dle::DLE) {
            out.push_back(dle::DLE);
        } else if (c == dle::ETX) {
            return {i, true};
        } else if (c == dle::SUB && options_.sub_is_two_dles) {
            out.push_back(dle::DLE);
            out.push_back(dle::DLE);
        } else if (options_.tolerate_undoubled_dle) {
            // The modem sent a lone data DLE: keep it and decode this byte afresh
            // (it may itself start a pair).
            out.push_back(dle::DLE);
            --i;
        } else if (on_code_) {
            on_code_(c);
        }
    }
    return {i, false};
}

}  // namespace faxemu
