// The T.30 session parameters vr,br,wd,ln,df,ec,bf,st that Class 2's
// +FDCC/+FDIS/+FDCS (Class 2.0's +FCC/+FIS/+FCS) carry: one struct, one parser
// and one formatter for the driver and the virtual modem, and the DcsInfo
// every device reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/dcs.hpp"
#include "devices/class2_protocol/class2_commands.hpp"

namespace faxemu {

// The eight T.30 session subparameters. Class 2 prints them in decimal, Class 2.0
// in hexadecimal (T.32 §8.5.1); both read the same for 0-9.
struct Class2Params {
    int vr = 0;  // 0 = 98 lpi (normal), 1 = 196 lpi (fine)
    int br = 0;  // 0..5 = 2400, 4800, 7200, 9600, 12000, 14400 bit/s
    int wd = 0;  // 0 = 1728 px
    int ln = 0;  // 0 = A4, 1 = B4, 2 = unlimited
    int df = 0;  // 0 = MH, 1 = MR, 2 = uncompressed, 3 = MMR
    int ec = 0;  // Class 2's codes: 0 = no ECM, 1 = ECM 64-octet frames, 2 = ECM 256-octet
                 // frames, whatever the variant (see ec_for_modem)
    int bf = 0;  // binary file transfer
    int st = 0;  // minimum scan line time code

    bool operator==(const Class2Params&) const = default;
};

// ec means different things to the two variants. Class 2 (SP-2388): 0 = no ECM,
// 1 = ECM with 64-octet frames, 2 = ECM with 256-octet frames. Class 2.0 (T.32
// Table 21, EIA-592): 0 = no ECM, 1 = ECM (T.30 Annex A, either frame size),
// 2 = T.30 Annex C half duplex, 3 = Annex C full duplex. Class2Params holds
// Class 2's codes; parse/format convert at the modem's edge.
int ec_from_modem(int value, Class2Variant v);
int ec_for_modem(int ec, Class2Variant v);

// Parses "1,5,0,2,0,0,0,0" over `base`: omitted values ("1,,,2", or missing
// trailing ones) keep base's. Blanks around values allowed. nullopt when the
// text is blank, a value is not a number in the variant's radix (or above
// 0xFFFF) or more than eight are given.
std::optional<Class2Params> parse_class2_params(std::string_view text, Class2Variant v,
                                                const Class2Params& base = {});
// "1,5,0,2,1,0,0,0" in the variant's radix.
std::string format_class2_params(const Class2Params& p, Class2Variant v);

// Bit rate of a br code (2400 .. 14400, 0 when unknown).
int bit_rate_of_br(int br);
// The session as every device reports it. Class 2 does not say which modem
// carried 7200/9600; when both ends can do V.17 (`v17_possible`) the modem
// picked V.17, otherwise V.29.
DcsInfo to_dcs_info(const Class2Params& p, bool v17_possible);

}  // namespace faxemu
