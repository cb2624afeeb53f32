// Workarounds for real Class 1 modems, kept as data (as HylaFAX keeps its Class1*
// settings): a plain struct the faxd configuration fills per port. Each field names
// the firmware bug it works around; the defaults suit a modem that follows T.31.
//
// (Named Class1DriverQuirks: the virtual modem's own list of bugs to emulate is
// faxemu::Class1Quirks in devices/virtual_modem/class1_engine.hpp.)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "devices/serial/serial_line.hpp"

namespace faxemu {

enum class BitOrder {
    LsbFirst,  // T.31: each octet of phase C data goes LSB first (the norm)
    Reversed,  // the modem takes/gives phase C octets MSB first (HylaFAX fill order 1)
};

struct Class1DriverQuirks {
    // HylaFAX Class1TMConnectDelay: the modem says CONNECT to +FTM before its
    // training has gone out, and drops data sent at once. Wait this long first.
    Duration tm_connect_delay{0};
    // HylaFAX Class1MsgRecvHackCmd/Class1TCFRecvHackCmd "AT+FRS=n": wait for n x 10 ms
    // of silence before +FRM, so the tail of V.21 does not give +FCERROR. 0 = off.
    int frs_before_data = 0;
    // HylaFAX Class1HasRHConnectBug: +FRH=3 answers a bogus CONNECT followed at once
    // by NO CARRIER (no frame). Recognise it and issue +FRH=3 again.
    bool rh_connect_bug = false;
    // Serial flow control for the line (XON/XOFF is the Class 1 norm; RTS/CTS for
    // adapters that lose XON/XOFF).
    FlowControl flow_control = FlowControl::XonXoff;
    BitOrder bit_order = BitOrder::LsbFirst;
    // HylaFAX Class1ModemHasDLEBug: the modem does not double DLE in received V.21
    // frames; a lone DLE not followed by ETX is then taken as data.
    bool dle_bug = false;
    // +FCERROR (wrong carrier) to +FRM: how many times to issue +FRM again before
    // listening for V.21 (+FRH=3) instead.
    int fcerror_retries = 3;
    // Silence sent (AT+FTS=n, n x 10 ms) between our V.21 transmission and a fast
    // one (DCS -> TCF): T.30 asks for 75 +- 20 ms. 0 = none.
    int tx_switch_silence = 7;
    // A pause (AT+FTS=n, n x 10 ms) after receiving TCF or a page, before our V.21
    // answer (as HylaFAX's Class1SwitchingCmd): a host that answers at once can
    // start its preamble before the far end's host listens (efax). 0 = none.
    int rx_switch_silence = 7;
};

// Parses a bit order name ("lsb", "normal", "reversed", "msb"); nullopt if unknown.
std::optional<BitOrder> parse_bit_order(std::string_view name);
const char* to_string(BitOrder order);
// One line listing the quirks that differ from the defaults, for logs ("" if none).
std::string describe(const Class1DriverQuirks& quirks);

}  // namespace faxemu
