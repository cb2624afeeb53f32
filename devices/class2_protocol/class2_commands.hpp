// The Class 2 (SP-2388) and Class 2.0 (EIA-592 / ITU T.32) command sets: the
// names that changed between them (FDCC->FCC, FDIS->FIS, +FHNG->+FHS ...), as
// the driver sends them and the virtual modem answers them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

// The text after "<response>:" with surrounding blanks and quotes removed, e.g.
// `+FCSI: "  +1 555 0100"` -> "+1 555 0100" (ids are right-aligned in 20 chars).
std::string unquote_id(std::string_view text);

}  // namespace faxemu
