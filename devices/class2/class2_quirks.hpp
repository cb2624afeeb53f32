// Workarounds for real Class 2 / 2.0 modems, kept as data (as HylaFAX keeps its
// Class2* settings): a plain struct the faxd configuration fills per port. Each
// field names the firmware bug it works around; the defaults suit a modem that
// follows SP-2388 / T.32.
//
// (Named Class2DriverQuirks: the virtual modem's list of bugs to emulate is
// faxemu::Class2Quirks in devices/virtual_class2/class2_engine.hpp.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "devices/serial/serial_line.hpp"

namespace faxemu {

struct Class2DriverQuirks {
    // HylaFAX Class2DDISCmd: the modem ignores +FDIS/+FIS issued after ATD, so the
    // session for the first page is set before dialling (otherwise a normal page
    // would go out in a fine session: "squished pages").
    bool session_before_dial = false;
    // HylaFAX Class2XmitWaitForXON: after +FDT's CONNECT wait for XON (DC1) before
    // the page data. Unset: yes for Class 2 (SP-2388 sends DC1), no for Class 2.0.
    std::optional<bool> wait_for_xon;
    // HylaFAX Class2RecvDataTrigger: what the host sends after +FDR's CONNECT to
    // start the data. 0: by class (DC1 for Class 2, DC2 for Class 2.0).
    std::uint8_t rx_trigger = 0;
    // +FBOR / +FBO value (bit 0 set: phase C data goes MSB first both ways).
    int bit_order = 0;
    // HylaFAX ModemRecvFillOrder: received page data reaches the host bit-reversed
    // even though +FBOR says direct (Rockwell-based Class 2 modems).
    bool reversed_rx_data = false;
    // Serial flow control (+FLO in Class 2.0; XON/XOFF is the fax norm).
    FlowControl flow_control = FlowControl::XonXoff;
};

// One line listing the quirks that differ from the defaults, for logs ("" if none).
std::string describe(const Class2DriverQuirks& quirks);

}  // namespace faxemu
