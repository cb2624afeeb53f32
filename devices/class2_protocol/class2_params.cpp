#include "devices/class2_protocol/class2_params.hpp"

#include <cctype>
#include <cstdio>

namespace faxemu {

int ec_from_modem(int value, Class2Variant v) {
    if (v == Class2Variant::Class2) return value;
    // T.32 Table 21: 1 = ECM per T.30 Annex A with the frame size left open,
    // 2 and 3 = T.30 Annex C (half, full duplex), ECM too. Read as ECM.
    return value != 0 ? 2 : 0;
}

int ec_for_modem(int ec, Class2Variant v) {
    if (v == Class2Variant::Class2) return ec;
    return ec != 0 ? 1 : 0;  // T.32 Table 21: 1 = ECM (T.30 Annex A), any frame size
}

std::optional<Class2Params> parse_class2_params(std::string_view text, Class2Variant v,
                                                const Class2Params& base) {
    const int radix = v == Class2Variant::Class2 ? 10 : 16;
    // Omitted values keep base's, ec in the variant's own code.
    int values[8] = {base.vr, base.br, base.wd, base.ln, base.df, ec_for_modem(base.ec, v),
                     base.bf, base.st};
    int index = 0;
    std::size_t i = 0;
    auto skip_blanks = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    };
    skip_blanks();
    if (i == text.size()) return std::nullopt;
    for (;;) {
        if (index >= 8) return std::nullopt;
        skip_blanks();
        int value = 0;
        bool given = false;
        while (i < text.size()) {
            const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            if (c >= 'a' && c <= 'f') d = 10 + (c - 'a');
            if (d < 0 || d >= radix) break;
            value = value * radix + d;
            if (value > 0xFFFF) return std::nullopt;
            given = true;
            ++i;
        }
        skip_blanks();
        if (given) values[index] = value;  // an empty field keeps base's value
        ++index;
        if (i == text.size()) break;
        if (text[i] != ',') return std::nullopt;
        ++i;
    }
    Class2Params p;
    p.vr = values[0];
    p.br = values[1];
    p.wd = values[2];
    p.ln = values[3];
    p.df = values[4];
    p.ec = ec_from_modem(values[5], v);
    p.bf = values[6];
    p.st = values[7];
    return p;
}

std::string format_class2_params(const Class2Params& p, Class2Variant v) {
    const int values[8] = {p.vr, p.br, p.wd, p.ln, p.df, ec_for_modem(p.ec, v), p.bf, p.st};
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i) out += ',';
        char buf[16];
        std::snprintf(buf, sizeof buf, v == Class2Variant::Class2 ? "%d" : "%X", values[i]);
        out += buf;
    }
    return out;
}

int bit_rate_of_br(int br) {
    static constexpr int kRates[] = {2400, 4800, 7200, 9600, 12000, 14400};
    return br >= 0 && br < 6 ? kRates[br] : 0;
}

DcsInfo to_dcs_info(const Class2Params& p, bool v17_possible) {
    DcsInfo info;
    info.bit_rate = bit_rate_of_br(p.br);
    switch (p.br) {
        case 0:
        case 1:
            info.modulation = "V.27ter";
            break;
        case 2:
        case 3:
            info.modulation = v17_possible ? "V.17" : "V.29";
            break;
        case 4:
        case 5:
            info.modulation = "V.17";
            break;
        default:
            info.modulation = "unknown";
            break;
    }
    info.resolution = p.vr >= 2 ? "superfine" : p.vr == 1 ? "fine" : "standard";
    info.compression = p.df == 3 ? "MMR" : p.df == 1 ? "MR" : p.df == 0 ? "MH" : "other";
    info.ecm = p.ec != 0;
    return info;
}

}  // namespace faxemu
