#include "devices/class2_protocol/hangup_codes.hpp"

#include <spandsp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

namespace faxemu {

namespace {

using F = FailureClass;

// Shorthands for the rows: what the port shows, how the scheduler retries.
constexpr Fps kOk = Fps::Completed;
constexpr Fps kFatal = Fps::FatalError;

// Where a code is defined:
//  "2388-A, T.32"  in both numberings: Class 2 (SP-2388-A, decimal) and Class 2.0
//                  (EIA-592 = SP-2388-B, later ITU-T T.32, hexadecimal);
//  "T.32"          Class 2.0 only (ringback, and the host's image errors);
//  "Everex"        Everex's vendor codes of 9/28/90, which Class 2 modems report.
// The Class 2.0 column is the +FHS hang-up status table of T.32 / EIA-592 (groups
// 00-0F placement, 10-1F tx phase A, 20-3F tx B, 40-4F tx C, 50-6F tx D, 70-8F rx
// B, 90-9F rx C, A0-BF rx D), checked entry by entry against Equisys technote
// ZTN1003 ("Modem hang-up status codes for Class 2.0 fax") and the Multi-Tech
// MT5634SMI reference guide, Table 3.4 (Class 2.1 hex beside Class 2 decimal).
// The Class 2 column is SP-2388-A's +FHNG table as modems document it (Rockwell
// RCV336ACX AT reference, Table 6-5: 0-3, 10-11, 20-28, 40, 43, 50-58, 70-74,
// 90-94 with 92 unused, 100-103), checked against mgetty's faxhng.c and the
// 2388-A column of HylaFAX's faxd/Class2.c++ hangupCodes[], which also lists the
// Everex codes. The two numberings differ in one place besides the radix: bad
// CRC is 94 in Class 2 and 92 in Class 2.0.
constexpr const char* kBoth = "2388-A, T.32";
constexpr const char* kT32 = "T.32";
constexpr const char* kEverex = "Everex";

const HangupEntry kTable[] = {
    // Call placement and termination.
    {0, 0x00, "Normal and proper end of connection", nullptr, kBoth, kOk, F::None, T30_ERR_OK,
     false, -1},
    {1, 0x01, "Ring detected without a successful handshake", nullptr, kBoth, Fps::NotFaxCall,
     F::NoCarrier, T30_ERR_T0_EXPIRED, true, -1},
    {2, 0x02, "Call aborted, by +FKS or <CAN>", "Call aborted, by +FK or <CAN>", kBoth,
     Fps::Aborting, F::Aborted, T30_ERR_OK, false, -1},
    {3, 0x03, "No loop current", nullptr, kBoth, Fps::NoDialTone, F::LineDropped,
     T30_ERR_CALLDROPPED, true, -1},
    {-1, 0x04, "Ringback detected, no answer (timeout)", nullptr, kT32, Fps::NoAnswer, F::NoAnswer,
     T30_ERR_T0_EXPIRED, true, -1},
    {-1, 0x05, "Ringback detected, answered without CED", nullptr, kT32, Fps::NotFaxCall,
     F::NoCarrier, T30_ERR_CEDTONE, true, 11},
    // Transmit phase A and miscellaneous.
    {10, 0x10, "Unspecified phase A error", nullptr, kBoth, Fps::NotFaxCall, F::NoCarrier,
     T30_ERR_T0_EXPIRED, true, -1},
    {11, 0x11, "No answer (T.30 T1 timeout)", nullptr, kBoth, Fps::NotFaxCall, F::NoCarrier,
     T30_ERR_T1_EXPIRED, true, -1},
    // Transmit phase B.
    {20, 0x20, "Unspecified transmit phase B error", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_UNEXPECTED, true, -1},
    {21, 0x21, "Remote cannot receive or send", nullptr, kBoth, kFatal, F::Incompatible,
     T30_ERR_INCOMPATIBLE, false, -1},
    {22, 0x22, "COMREC error in transmit phase B, or DCN received", nullptr, kBoth, kFatal,
     F::Protocol, T30_ERR_TX_GOTDCN, true, -1},
    {23, 0x23, "COMREC invalid command received, no DIS or DTC", nullptr, kBoth, kFatal,
     F::Protocol, T30_ERR_TX_NODIS, true, -1},
    {24, 0x24, "RSPREC error, or DCN received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_GOTDCN, true, -1},
    {25, 0x25, "DCS sent 3 times without response", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_PHBDEAD, true, -1},
    {26, 0x26, "DIS/DTC received 3 times; DCS not recognized", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_BADDCS, true, -1},
    {27, 0x27, "Failure to train at 2400 bit/s or the +FMS rate",
     "Failure to train at 2400 bit/s or the +FMINSP rate", kBoth, kFatal, F::Protocol,
     T30_ERR_CANNOT_TRAIN, true, -1},
    {28, 0x28, "RSPREC invalid response received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_BADDCS, true, -1},
    // Transmit phase C.
    {40, 0x40, "Unspecified transmit phase C error", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_UNEXPECTED, true, -1},
    {-1, 0x41, "Unspecified image format error", nullptr, kT32, kFatal, F::Document,
     T30_ERR_BADTIFF, false, 132},
    {-1, 0x42, "Image conversion error", nullptr, kT32, kFatal, F::Document, T30_ERR_BADTIFF, false,
     132},
    {43, 0x43, "DTE to DCE data underflow", nullptr, kBoth, kFatal, F::Protocol, T30_ERR_UNEXPECTED,
     true, -1},
    {-1, 0x44, "Unrecognized transparent data command", nullptr, kT32, kFatal, F::Protocol,
     T30_ERR_UNEXPECTED, true, 40},
    {-1, 0x45, "Image error, line length wrong", nullptr, kT32, kFatal, F::Document, T30_ERR_BADTAG,
     false, 132},
    {-1, 0x46, "Image error, page length wrong", nullptr, kT32, kFatal, F::Document, T30_ERR_BADTAG,
     false, 132},
    {-1, 0x47, "Image error, wrong compression code", nullptr, kT32, kFatal, F::Document,
     T30_ERR_BADTIFF, false, 132},
    // Transmit phase D.
    {50, 0x50, "Unspecified transmit phase D error (e.g. +FCT timeout between data and +FET)",
     "Unspecified transmit phase D error (e.g. +FPHCTO timeout between data and +FET)", kBoth,
     kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true, -1},
    {51, 0x51, "RSPREC error, or DCN received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_BADPG, true, -1},
    {52, 0x52, "No response to MPS repeated 3 times", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_PHDDEAD, true, -1},
    {53, 0x53, "Invalid response to MPS", nullptr, kBoth, kFatal, F::Protocol, T30_ERR_TX_INVALRSP,
     true, -1},
    {54, 0x54, "No response to EOP repeated 3 times", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_PHDDEAD, true, -1},
    {55, 0x55, "Invalid response to EOP", nullptr, kBoth, kFatal, F::Protocol, T30_ERR_TX_INVALRSP,
     true, -1},
    {56, 0x56, "No response to EOM repeated 3 times", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_TX_PHDDEAD, true, -1},
    {57, 0x57, "Invalid response to EOM", nullptr, kBoth, kFatal, F::Protocol, T30_ERR_TX_INVALRSP,
     true, -1},
    {58, 0x58, "Unable to continue after PIN or PIP", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_OPER_INT_FAIL, true, -1},
    // Receive phase B.
    {70, 0x70, "Unspecified receive phase B error", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_T2EXP, true, -1},
    {71, 0x71, "RSPREC error, or DCN received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_DCNWHY, true, -1},
    {72, 0x72, "COMREC error", nullptr, kBoth, kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true, -1},
    {73, 0x73, "T.30 T2 timeout, expected page not received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_T2EXPFAX, true, -1},
    {74, 0x74, "T.30 T1 timeout after EOM received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_T1_EXPIRED, true, -1},
    // Receive phase C.
    {90, 0x90, "Unspecified receive phase C error (e.g. too long between TCF and +FDR)", nullptr,
     kBoth, kFatal, F::Protocol, T30_ERR_RX_NOFAX, true, -1},
    {91, 0x91, "Missing EOL after 5 seconds (T.4 section 3.2)", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_NOEOL, true, -1},
    {94, 0x92, "Bad CRC or frame (ECM or BFT mode)", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_ECMPHD, true, -1},
    {93, 0x93, "DCE to DTE buffer overflow", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_UNEXPECTED, true, -1},
    // Receive phase D.
    {100, 0xA0, "Unspecified receive phase D error", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_T2EXPD, true, -1},
    {101, 0xA1, "RSPREC invalid response received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_INVALCMD, true, -1},
    {102, 0xA2, "COMREC invalid response received", nullptr, kBoth, kFatal, F::Protocol,
     T30_ERR_RX_INVALCMD, true, -1},
    {103, 0xA3, "Unable to continue after PIN or PIP, no PRI-Q", nullptr, kBoth, kFatal,
     F::Protocol, T30_ERR_OPER_INT_FAIL, true, -1},
    // Everex vendor codes (9/28/90), Class 2 only.
    {128, -1, "Cannot send: +FMINSP is above the remote's DIS bit rate", nullptr, kEverex, kFatal,
     F::Incompatible, T30_ERR_INCOMPATIBLE, false, 0x21},
    {129, -1,
     "Cannot send: the remote is V.29 only and the local DCE is held to 2400 or 4800 bit/s",
     nullptr, kEverex, kFatal, F::Incompatible, T30_ERR_INCOMPATIBLE, false, 0x21},
    {130, -1, "Remote station cannot receive (DIS bit 10)", nullptr, kEverex, kFatal,
     F::Incompatible, T30_ERR_RX_INCAPABLE, false, 0x21},
    {131, -1, "Aborted by +FK or <CAN>", nullptr, kEverex, Fps::Aborting, F::Aborted, T30_ERR_OK,
     false, 0x02},
    {132, -1, "Format conversion error in +FDT=df,vr,wd,ln: incompatible data format", nullptr,
     kEverex, kFatal, F::Document, T30_ERR_BADTIFF, false, 0x42},
    {133, -1, "Remote cannot receive", nullptr, kEverex, kFatal, F::Incompatible,
     T30_ERR_RX_INCAPABLE, false, 0x21},
    {134, -1, "After +FDR the DCE waited more than 30 s for XON from the DTE after XOFF", nullptr,
     kEverex, kFatal, F::Protocol, T30_ERR_UNEXPECTED, true, 0x93},
    {135, -1, "In polling phase B, the remote cannot be polled", nullptr, kEverex, kFatal,
     F::Incompatible, T30_ERR_NOPOLL, false, 0x21},
};

std::vector<HangupCode> variant_view(Class2Variant v) {
    std::vector<HangupCode> codes;
    for (const HangupEntry& e : kTable) {
        const int code = v == Class2Variant::Class2 ? e.class2 : e.class20;
        if (code < 0) continue;
        const char* text = v == Class2Variant::Class2 && e.text2 ? e.text2 : e.text;
        codes.push_back({code, text, e.status, e.failure, e.t30_cause, e.retry});
    }
    std::sort(codes.begin(), codes.end(),
              [](const HangupCode& a, const HangupCode& b) { return a.code < b.code; });
    return codes;
}

std::optional<int> parse_code(Class2Variant v, std::string_view printed) {
    const int radix = v == Class2Variant::Class2 ? 10 : 16;
    std::size_t b = 0, e = printed.size();
    while (b < e && std::isspace(static_cast<unsigned char>(printed[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(printed[e - 1]))) --e;
    if (b == e || e - b > 6) return std::nullopt;
    int value = 0;
    for (std::size_t i = b; i < e; ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(printed[i])));
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? 10 + c - 'a' : -1;
        if (d < 0 || d >= radix) return std::nullopt;
        value = value * radix + d;
    }
    return value;
}

// The Class 2.0 code of the entry the modem reports for a T.30 cause. Where
// Class 2.0 names the cause, that code; where it only names the phase, the
// phase's "unspecified" code for the direction of the call.
int class20_code_for_t30(int cause, bool tx, FaxPhase phase) {
    // The causes the port does not retry, by their class (as a simulated port
    // classes them): "remote cannot receive or send" when the far end cannot
    // take (or give) this document, whichever way the call goes; "image
    // conversion error" when the modem's own copy of the page could not be
    // read or written.
    switch (outcome_from_t30(cause, 0).failure) {
        case FailureClass::Incompatible:
            return 0x21;
        case FailureClass::Document:
            return 0x42;
        default:
            break;
    }
    switch (cause) {
        case T30_ERR_OK:
            return 0x00;
        case T30_ERR_CEDTONE:
            return tx ? 0x05 : 0x01;
        case T30_ERR_T0_EXPIRED:
        case T30_ERR_T1_EXPIRED:
            return tx ? 0x11 : 0x01;
        case T30_ERR_T3_EXPIRED:
        case T30_ERR_OPER_INT_FAIL:
            return tx ? 0x58 : 0xA3;
        case T30_ERR_CANNOT_TRAIN:
            return 0x27;
        case T30_ERR_UNEXPECTED:
            return tx ? 0x23 : 0x72;
        case T30_ERR_TX_BADDCS:
            return 0x26;
        case T30_ERR_TX_BADPG:
        case T30_ERR_TX_ECMPHD:
            return 0x51;
        case T30_ERR_TX_GOTDCN:
            return 0x22;
        case T30_ERR_TX_INVALRSP:
            return 0x53;
        case T30_ERR_TX_NODIS:
            return 0x23;
        case T30_ERR_TX_PHBDEAD:
            return 0x25;
        case T30_ERR_TX_PHDDEAD:
            return 0x52;
        case T30_ERR_TX_T5EXP:
            return 0x50;
        case T30_ERR_RX_ECMPHD:
        case T30_ERR_RX_T2EXPRR:
        case T30_ERR_RX_DCNRRD:
            return 0x92;
        case T30_ERR_RX_GOTDCS:
        case T30_ERR_RX_T2EXP:
            return 0x70;
        case T30_ERR_RX_DCNWHY:
            return 0x71;
        case T30_ERR_RX_INVALCMD:
            return 0xA2;
        case T30_ERR_RX_NOCARRIER:
        case T30_ERR_RX_NOFAX:
        case T30_ERR_RX_DCNDATA:
            return 0x90;
        case T30_ERR_RX_NOEOL:
            return 0x91;
        case T30_ERR_RX_T2EXPFAX:
        case T30_ERR_RX_T2EXPMPS:
            return 0x73;
        case T30_ERR_RX_T2EXPDCN:
        case T30_ERR_RX_T2EXPD:
        case T30_ERR_RX_DCNFAX:
        case T30_ERR_RX_DCNPHD:
        case T30_ERR_RX_DCNNORTN:
            return 0xA0;
        case T30_ERR_RETRYDCN:
            return tx ? 0x50 : 0xA0;
        case T30_ERR_CALLDROPPED:
            // A modem reports the phase the call died in ("unspecified transmit
            // phase C error"), not that the line went; after phase D, no loop current.
            switch (phase) {
                case FaxPhase::A:
                    return tx ? 0x10 : 0x01;
                case FaxPhase::B:
                    return tx ? 0x20 : 0x70;
                case FaxPhase::C:
                    return tx ? 0x40 : 0x90;
                case FaxPhase::D:
                    return tx ? 0x50 : 0xA0;
                case FaxPhase::E:
                    return 0x03;
            }
            return 0x03;
        default:
            return tx ? 0x20 : 0x70;
    }
}

}  // namespace

std::span<const HangupEntry> hangup_table() {
    return kTable;
}

std::span<const HangupCode> hangup_codes(Class2Variant v) {
    static const std::vector<HangupCode> class2 = variant_view(Class2Variant::Class2);
    static const std::vector<HangupCode> class20 = variant_view(Class2Variant::Class20);
    return v == Class2Variant::Class2 ? class2 : class20;
}

const HangupCode* find_hangup_code(Class2Variant v, std::string_view printed) {
    const auto value = parse_code(v, printed);
    if (!value) return nullptr;
    const auto codes = hangup_codes(v);
    const auto it = std::find_if(codes.begin(), codes.end(),
                                 [&](const HangupCode& c) { return c.code == *value; });
    return it == codes.end() ? nullptr : &*it;
}

CallOutcome hangup_outcome(Class2Variant v, std::string_view printed, int pages_done) {
    const std::string tag = std::string(class2_names(v).r_hng) + std::string(printed);
    CallOutcome o;
    o.pages_done = pages_done;
    const HangupCode* code = find_hangup_code(v, printed);
    if (!code) {
        o.status = Fps::FatalError;
        o.failure = FailureClass::Protocol;
        o.t30_cause = T30_ERR_UNEXPECTED;
        o.cause_text = "unknown hang-up code (" + tag + ")";
        return o;
    }
    o.status = code->status;
    o.failure = code->failure;
    o.t30_cause = code->t30_cause;
    o.cause_text = std::string(code->text) + " (" + tag + ")";
    return o;
}

int hangup_code_in(Class2Variant v, int class20) {
    if (v == Class2Variant::Class20) return class20;
    for (const HangupEntry& e : kTable)
        if (e.class20 == class20) return e.class2 >= 0 ? e.class2 : e.stand_in;
    return -1;
}

int hangup_code_for_t30(Class2Variant v, int t30_cause, bool transmitting, FaxPhase phase) {
    return hangup_code_in(v, class20_code_for_t30(t30_cause, transmitting, phase));
}

std::string format_hangup(Class2Variant v, int code) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v == Class2Variant::Class2 ? "%s%d" : "%s%02X",
                  class2_names(v).r_hng, code);
    return buf;
}

}  // namespace faxemu
