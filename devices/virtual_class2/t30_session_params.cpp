#include "devices/virtual_class2/t30_session_params.hpp"

#include <spandsp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace faxemu::vclass2 {

namespace {

constexpr std::uint8_t kFcfDis = 0x80;  // spandsp's T30_DIS (also DTC's low bits differ)
constexpr std::uint8_t kFcfDtc = 0x81;
constexpr std::uint8_t kFcfDcs = 0x82;

// Bit n (1-based, T.30 numbering) of the FIF: octet (n-1)/8, LSB first.
class FifBits {
  public:
    FifBits(const std::uint8_t* frame, std::size_t len) : frame_(frame), len_(len) {}
    bool operator()(int n) const {
        const std::size_t octet = 3 + static_cast<std::size_t>((n - 1) / 8);
        return octet < len_ && ((frame_[octet] >> ((n - 1) % 8)) & 1) != 0;
    }

  private:
    const std::uint8_t* frame_;
    std::size_t len_;
};

int width_from(const FifBits& bit) {
    const int code = (bit(17) ? 1 : 0) | (bit(18) ? 2 : 0);
    return code >= 2 ? 2 : code;  // 215 mm; 255 mm; 303 mm
}

int length_from(const FifBits& bit) {
    // T.30 Table 2, bits 19-20 (recording length): DIS/DTC bit 19 = A4 and B4,
    // bit 20 = unlimited, neither = A4 only; in DCS bit 19 = B4, bit 20 =
    // unlimited. To T.32's ln: 0 = A4, 1 = B4, 2 = unlimited.
    if (bit(20)) return 2;
    if (bit(19)) return 1;
    return 0;
}

int scan_time_from(const FifBits& bit) {
    // Bits 21-23 (T.30 Table 2) as b21 + 2*b22 + 4*b23, to T.32's st.
    static constexpr std::array<int, 8> kSt = {5, 1, 3, 4, 7, 6, 2, 0};
    const int code = (bit(21) ? 1 : 0) | (bit(22) ? 2 : 0) | (bit(23) ? 4 : 0);
    return kSt[static_cast<std::size_t>(code)];
}

}  // namespace

std::string class2_param_ranges(Class2Variant v) {
    return std::string("(0,1),(0-5),(0-2),(0-2),(0,1,3),") +
           (v == Class2Variant::Class20 ? "(0,1)" : "(0-2)") + ",(0),(0-7)";
}

Class2Params clamp_to_modem(Class2Params p) {
    // ec in Class 2's codes: 2 = ECM (256-octet frames); Class 2.0's Annex C
    // values read as ECM already (ec_from_modem).
    static constexpr std::array<int, 8> kMax = {1, 5, 2, 2, 3, 2, 1, 7};
    std::array<int*, 8> fields = {&p.vr, &p.br, &p.wd, &p.ln, &p.df, &p.ec, &p.bf, &p.st};
    for (std::size_t i = 0; i < fields.size(); ++i) *fields[i] = std::clamp(*fields[i], 0, kMax[i]);
    return p;
}

std::optional<Class2Params> params_from_dis(const std::uint8_t* frame, std::size_t len) {
    if (len < 6) return std::nullopt;
    const std::uint8_t fcf = frame[2] & 0xFF;
    if (fcf != kFcfDis && fcf != kFcfDtc) return std::nullopt;
    FifBits bit(frame, len);
    Class2Params p;
    p.vr = bit(15) ? 1 : 0;
    if (bit(11) && bit(14))
        p.br = 5;  // V.17
    else if (bit(11))
        p.br = 3;  // V.29
    else if (bit(12))
        p.br = 1;  // V.27ter
    else
        p.br = 0;  // V.27ter fallback only
    p.wd = width_from(bit);
    p.ln = length_from(bit);
    p.ec = bit(27) ? 2 : 0;
    p.df = bit(31) && p.ec != 0 ? 3 : bit(16) ? 1 : 0;
    p.bf = 0;
    p.st = scan_time_from(bit);
    return p;
}

std::optional<Class2Params> params_from_dcs(const std::uint8_t* frame, std::size_t len) {
    if (len < 6 || (frame[2] & 0xFE) != kFcfDcs) return std::nullopt;
    FifBits bit(frame, len);
    Class2Params p;
    p.vr = bit(15) || bit(41) ? 1 : 0;
    const int rate = (bit(11) ? 1 : 0) | (bit(12) ? 2 : 0) | (bit(13) ? 4 : 0) | (bit(14) ? 8 : 0);
    switch (rate) {
        case 0x2:
            p.br = 1;
            break;  // 4800 V.27ter
        case 0x1:
            p.br = 3;
            break;  // 9600 V.29
        case 0x3:
            p.br = 2;
            break;  // 7200 V.29
        case 0x8:
            p.br = 5;
            break;  // 14400 V.17
        case 0xA:
            p.br = 4;
            break;  // 12000 V.17
        case 0x9:
            p.br = 3;
            break;  // 9600 V.17
        case 0xB:
            p.br = 2;
            break;  // 7200 V.17
        default:
            p.br = 0;
            break;  // 2400 V.27ter
    }
    p.wd = width_from(bit);
    p.ln = length_from(bit);
    p.ec = bit(27) ? (bit(28) ? 1 : 2) : 0;
    p.df = bit(31) ? 3 : bit(16) ? 1 : 0;
    p.bf = 0;
    p.st = scan_time_from(bit);
    return p;
}

Class2Params negotiate_session(const Class2Params& host, const Class2Params& remote) {
    Class2Params s;
    s.vr = std::min(host.vr, remote.vr);
    // spandsp starts at the fastest modem both ends have: 14400 (V.17), 9600 (V.29)
    // or 4800 (V.27ter); so only those rates can be promised.
    const int br = std::min(host.br, remote.br);
    s.br = br >= 5 ? 5 : br >= 3 ? 3 : 1;
    s.wd = 0;
    s.ln = std::min(host.ln, remote.ln);
    s.ec = host.ec != 0 && remote.ec != 0 ? 2 : 0;
    if (host.df >= 3 && remote.df >= 3 && s.ec != 0)
        s.df = 3;
    else if (host.df >= 1 && remote.df >= 1)
        s.df = 1;
    else
        s.df = 0;
    s.bf = 0;
    // The receiver's minimum scan line time; the "half at fine" codes resolve by vr.
    switch (remote.st) {
        case 2:
            s.st = s.vr ? 1 : 3;
            break;
        case 4:
            s.st = s.vr ? 3 : 5;
            break;
        case 6:
            s.st = s.vr ? 5 : 7;
            break;
        default:
            s.st = remote.st;
            break;
    }
    return s;
}

int t30_modulations_for(const Class2Params& p) {
    if (p.br >= 5) return T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17;
    if (p.br >= 3) return T30_SUPPORT_V27TER | T30_SUPPORT_V29;
    return T30_SUPPORT_V27TER;
}

int t30_compressions_for(const Class2Params& p) {
    int c = T30_SUPPORT_T4_1D_COMPRESSION;
    if (p.df >= 1) c |= T30_SUPPORT_T4_2D_COMPRESSION;
    if (p.df >= 3 && p.ec != 0) c |= T30_SUPPORT_T6_COMPRESSION;
    return c;
}

}  // namespace faxemu::vclass2
