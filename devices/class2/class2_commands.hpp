// The Class 2 (SP-2388) and Class 2.0 (EIA-592 / ITU T.32) command sets: the
// names that changed between them (FDCC->FCC, FDIS->FIS, +FHNG->+FHS ...), and
// the T.30 session parameters vr,br,wd,ln,df,ec,bf,st that +FDCC/+FDIS/+FDCS
// (+FCC/+FIS/+FCS) carry, decoded into the DcsInfo every device reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dcs.hpp"

namespace faxemu {

enum class Class2Variant { Class2, Class20 };

const char* to_string(Class2Variant v);  // "Class 2", "Class 2.0"

// Commands (without "AT") and responses (with the colon where there is one).
struct Class2Names {
    const char* fclass;       // "2", "2.0"
    const char* dcc;          // +FDCC / +FCC  capabilities
    const char* dis;          // +FDIS / +FIS  current session parameters
    const char* lid;          // +FLID / +FLI  local id
    const char* bor;          // +FBOR / +FBO  bit order
    const char* pts;          // +FPTS / +FPS  page transfer status
    const char* abort;        // +FK   / +FKS  session termination
    const char* con;          // +FCON / +FCO  fax connection
    const char* r_dis;        // +FDIS: / +FIS:  the remote's DIS
    const char* r_dcs;        // +FDCS: / +FCS:  the negotiated DCS
    const char* r_dtc;        // +FDTC: / +FTC:
    const char* r_csi;        // +FCSI: / +FCI:  the called station's id
    const char* r_tsi;        // +FTSI: / +FTI:  the calling station's id
    const char* r_pts;        // +FPTS: / +FPS:  page transfer status
    const char* r_hng;        // +FHNG: / +FHS:  hang-up status
    const char* r_nsf;        // +FNSF: / +FNF:
    const char* r_poll;       // +FPOLL / +FPO
    std::uint8_t rx_trigger;  // what the host sends after +FDR's CONNECT: DC1 / DC2
};

const Class2Names& class2_names(Class2Variant v);

// +FPTS/+FPS post-page response values (T.32 Table 31).
enum class PageStatus : int { MCF = 1, RTN = 2, RTP = 3, PIN = 4, PIP = 5 };
// +FET post-page message values.
enum class PostPage : int { MPS = 0, EOM = 1, EOP = 2, PRI_MPS = 4, PRI_EOM = 5, PRI_EOP = 6 };

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

// Parses "1,5,0,2,0,0,0,0" (missing trailing values stay 0; spaces allowed).
// nullopt when a value is not a number in the variant's radix or too many are given.
std::optional<Class2Params> parse_class2_params(std::string_view text, Class2Variant v);
// "1,5,0,2,1,0,0,0" in the variant's radix.
std::string format_class2_params(const Class2Params& p, Class2Variant v);

// Bit rate of a br code (2400 .. 14400, 0 when unknown).
int bit_rate_of_br(int br);
// The session as every device reports it. Class 2 does not say which modem
// carried 7200/9600; when both ends can do V.17 (`v17_possible`) the modem
// picked V.17, otherwise V.29.
DcsInfo to_dcs_info(const Class2Params& p, bool v17_possible);

// The text after "<response>:" with surrounding blanks and quotes removed, e.g.
// `+FCSI: "  +1 555 0100"` -> "+1 555 0100" (ids are right-aligned in 20 chars).
std::string unquote_id(std::string_view text);

}  // namespace faxemu
