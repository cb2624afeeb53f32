#include "devices/class2/hangup_codes.hpp"

#include <spandsp.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

namespace faxemu {

namespace {

using F = FailureClass;

// Shorthands for the rows: what the port shows, how the scheduler retries.
constexpr Fps kOk = Fps::Completed;
constexpr Fps kFatal = Fps::FatalError;

const HangupCode kClass2Codes[] = {
    // Call placement and termination (decimal).
    {0, "Normal and proper end of connection", kOk, F::None, T30_ERR_OK, false},
    {1, "Ring detected without a successful handshake", Fps::NotFaxCall, F::NoCarrier,
     T30_ERR_T0_EXPIRED, true},
    {2, "Call aborted, by +FK or <CAN>", Fps::Aborting, F::Aborted, T30_ERR_OK, false},
    {3, "No loop current", Fps::NoDialTone, F::LineDropped, T30_ERR_CALLDROPPED, true},
    // Transmit phase A and miscellaneous.
    {10, "Unspecified phase A error", Fps::NotFaxCall, F::NoCarrier, T30_ERR_T0_EXPIRED, true},
    {11, "No answer (T.30 T1 timeout)", Fps::NotFaxCall, F::NoCarrier, T30_ERR_T1_EXPIRED, true},
    // Transmit phase B.
    {20, "Unspecified transmit phase B error", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {21, "Remote cannot be polled", kFatal, F::Incompatible, T30_ERR_NOPOLL, false},
    {22, "COMREC error in transmit phase B, or DCN received", kFatal, F::Protocol,
     T30_ERR_TX_GOTDCN, true},
    {23, "COMREC invalid command received, no DIS or DTC", kFatal, F::Protocol, T30_ERR_TX_NODIS,
     true},
    {24, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_TX_GOTDCN, true},
    {25, "DCS sent 3 times without response", kFatal, F::Protocol, T30_ERR_TX_PHBDEAD, true},
    {26, "DIS/DTC received 3 times; DCS not recognized", kFatal, F::Protocol, T30_ERR_TX_BADDCS,
     true},
    {27, "Failure to train at 2400 bit/s or the +FMINSP rate", kFatal, F::Protocol,
     T30_ERR_CANNOT_TRAIN, true},
    {28, "RSPREC invalid response received", kFatal, F::Protocol, T30_ERR_TX_BADDCS, true},
    // Transmit phase C.
    {40, "Unspecified transmit phase C error", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {43, "DTE to DCE data underflow", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    // Transmit phase D.
    {50, "Unspecified transmit phase D error (e.g. +FPHCTO timeout between data and +FET)", kFatal,
     F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {51, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_TX_BADPG, true},
    {52, "No response to MPS repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {53, "Invalid response to MPS", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {54, "No response to EOP repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {55, "Invalid response to EOP", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {56, "No response to EOM repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {57, "Invalid response to EOM", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {58, "Unable to continue after PIN or PIP", kFatal, F::Protocol, T30_ERR_OPER_INT_FAIL, true},
    // Receive phase B.
    {70, "Unspecified receive phase B error", kFatal, F::Protocol, T30_ERR_RX_T2EXP, true},
    {71, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_RX_DCNWHY, true},
    {72, "COMREC error", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {73, "T.30 T2 timeout, expected page not received", kFatal, F::Protocol, T30_ERR_RX_T2EXPFAX,
     true},
    {74, "T.30 T1 timeout after EOM received", kFatal, F::Protocol, T30_ERR_T1_EXPIRED, true},
    // Receive phase C.
    {90, "Unspecified receive phase C error (e.g. too long between TCF and +FDR)", kFatal,
     F::Protocol, T30_ERR_RX_NOFAX, true},
    {91, "Missing EOL after 5 seconds (T.4 section 3.2)", kFatal, F::Protocol, T30_ERR_RX_NOEOL,
     true},
    {93, "DCE to DTE buffer overflow", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {94, "Bad CRC or frame (ECM or BFT mode)", kFatal, F::Protocol, T30_ERR_RX_ECMPHD, true},
    // Receive phase D.
    {100, "Unspecified receive phase D error", kFatal, F::Protocol, T30_ERR_RX_T2EXPD, true},
    {101, "RSPREC invalid response received", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {102, "COMREC invalid response received", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {103, "Unable to continue after PIN or PIP, no PRI-Q", kFatal, F::Protocol,
     T30_ERR_OPER_INT_FAIL, true},
    // Everex vendor codes (9/28/90).
    {128, "Cannot send: +FMINSP is above the remote's DIS bit rate", kFatal, F::Incompatible,
     T30_ERR_INCOMPATIBLE, false},
    {129, "Cannot send: the remote is V.29 only and the local DCE is held to 2400 or 4800 bit/s",
     kFatal, F::Incompatible, T30_ERR_INCOMPATIBLE, false},
    {130, "Remote station cannot receive (DIS bit 10)", kFatal, F::Incompatible,
     T30_ERR_RX_INCAPABLE, false},
    {131, "Aborted by +FK or <CAN>", Fps::Aborting, F::Aborted, T30_ERR_OK, false},
    {132, "Format conversion error in +FDT=df,vr,wd,ln: incompatible data format", kFatal,
     F::Document, T30_ERR_BADTIFF, false},
    {133, "Remote cannot receive", kFatal, F::Incompatible, T30_ERR_RX_INCAPABLE, false},
    {134, "After +FDR the DCE waited more than 30 s for XON from the DTE after XOFF", kFatal,
     F::Protocol, T30_ERR_UNEXPECTED, true},
    {135, "In polling phase B, the remote cannot be polled", kFatal, F::Incompatible,
     T30_ERR_NOPOLL, false},
};

const HangupCode kClass20Codes[] = {
    // Call placement and termination (hexadecimal from here on).
    {0x00, "Normal and proper end of connection", kOk, F::None, T30_ERR_OK, false},
    {0x01, "Ring detected without a successful handshake", Fps::NotFaxCall, F::NoCarrier,
     T30_ERR_T0_EXPIRED, true},
    {0x02, "Call aborted, by +FKS or <CAN>", Fps::Aborting, F::Aborted, T30_ERR_OK, false},
    {0x03, "No loop current", Fps::NoDialTone, F::LineDropped, T30_ERR_CALLDROPPED, true},
    {0x04, "Ringback detected, no answer (timeout)", Fps::NoAnswer, F::NoAnswer, T30_ERR_T0_EXPIRED,
     true},
    {0x05, "Ringback detected, answered without CED", Fps::NotFaxCall, F::NoCarrier,
     T30_ERR_CEDTONE, true},
    // Transmit phase A and miscellaneous.
    {0x10, "Unspecified phase A error", Fps::NotFaxCall, F::NoCarrier, T30_ERR_T0_EXPIRED, true},
    {0x11, "No answer (T.30 T1 timeout)", Fps::NotFaxCall, F::NoCarrier, T30_ERR_T1_EXPIRED, true},
    // Transmit phase B.
    {0x20, "Unspecified transmit phase B error", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {0x21, "Remote cannot be polled", kFatal, F::Incompatible, T30_ERR_NOPOLL, false},
    {0x22, "COMREC error in transmit phase B, or DCN received", kFatal, F::Protocol,
     T30_ERR_TX_GOTDCN, true},
    {0x23, "COMREC invalid command received, no DIS or DTC", kFatal, F::Protocol, T30_ERR_TX_NODIS,
     true},
    {0x24, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_TX_GOTDCN, true},
    {0x25, "DCS sent 3 times without response", kFatal, F::Protocol, T30_ERR_TX_PHBDEAD, true},
    {0x26, "DIS/DTC received 3 times; DCS not recognized", kFatal, F::Protocol, T30_ERR_TX_BADDCS,
     true},
    {0x27, "Failure to train at 2400 bit/s or the +FMS rate", kFatal, F::Protocol,
     T30_ERR_CANNOT_TRAIN, true},
    {0x28, "RSPREC invalid response received", kFatal, F::Protocol, T30_ERR_TX_BADDCS, true},
    // Transmit phase C.
    {0x40, "Unspecified transmit phase C error", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {0x41, "Unspecified image format error", kFatal, F::Document, T30_ERR_BADTIFF, false},
    {0x42, "Image conversion error", kFatal, F::Document, T30_ERR_BADTIFF, false},
    {0x43, "DTE to DCE data underflow", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {0x44, "Unrecognized transparent data command", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    {0x45, "Image error, line length wrong", kFatal, F::Document, T30_ERR_BADTAG, false},
    {0x46, "Image error, page length wrong", kFatal, F::Document, T30_ERR_BADTAG, false},
    {0x47, "Image error, wrong compression code", kFatal, F::Document, T30_ERR_BADTIFF, false},
    // Transmit phase D.
    {0x50, "Unspecified transmit phase D error (e.g. +FCT timeout between data and +FET)", kFatal,
     F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {0x51, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_TX_BADPG, true},
    {0x52, "No response to MPS repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {0x53, "Invalid response to MPS", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {0x54, "No response to EOP repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {0x55, "Invalid response to EOP", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {0x56, "No response to EOM repeated 3 times", kFatal, F::Protocol, T30_ERR_TX_PHDDEAD, true},
    {0x57, "Invalid response to EOM", kFatal, F::Protocol, T30_ERR_TX_INVALRSP, true},
    {0x58, "Unable to continue after PIN or PIP", kFatal, F::Protocol, T30_ERR_OPER_INT_FAIL, true},
    // Receive phase B.
    {0x70, "Unspecified receive phase B error", kFatal, F::Protocol, T30_ERR_RX_T2EXP, true},
    {0x71, "RSPREC error, or DCN received", kFatal, F::Protocol, T30_ERR_RX_DCNWHY, true},
    {0x72, "COMREC error", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {0x73, "T.30 T2 timeout, expected page not received", kFatal, F::Protocol, T30_ERR_RX_T2EXPFAX,
     true},
    {0x74, "T.30 T1 timeout after EOM received", kFatal, F::Protocol, T30_ERR_T1_EXPIRED, true},
    // Receive phase C.
    {0x90, "Unspecified receive phase C error (e.g. too long between TCF and +FDR)", kFatal,
     F::Protocol, T30_ERR_RX_NOFAX, true},
    {0x91, "Missing EOL after 5 seconds (T.4 section 3.2)", kFatal, F::Protocol, T30_ERR_RX_NOEOL,
     true},
    {0x92, "Bad CRC or frame (ECM or BFT mode)", kFatal, F::Protocol, T30_ERR_RX_ECMPHD, true},
    {0x93, "DCE to DTE buffer overflow", kFatal, F::Protocol, T30_ERR_UNEXPECTED, true},
    // Receive phase D.
    {0xA0, "Unspecified receive phase D error", kFatal, F::Protocol, T30_ERR_RX_T2EXPD, true},
    {0xA1, "RSPREC invalid response received", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {0xA2, "COMREC invalid response received", kFatal, F::Protocol, T30_ERR_RX_INVALCMD, true},
    {0xA3, "Unable to continue after PIN or PIP, no PRI-Q", kFatal, F::Protocol,
     T30_ERR_OPER_INT_FAIL, true},
};

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

}  // namespace

std::span<const HangupCode> hangup_codes(Class2Variant v) {
    if (v == Class2Variant::Class2) return kClass2Codes;
    return kClass20Codes;
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

}  // namespace faxemu
