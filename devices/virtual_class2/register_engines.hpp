// Registers the virtual Class 2/2.0 modems with the engine factory
// (devices/virtual_modem/engine_factory.hpp), for faxmodem and faxd:
//   class=2     Class2Engine offering Class 2 only   (+FCLASS=? -> 0,2)
//   class=2.0   Class2Engine offering Class 2.0 only (+FCLASS=? -> 0,2.0)
//   class=all   MultiClassEngine: 0,1,2,2.0
// Options (besides the Class 1 modem's caller_id, identity and faults: busy,
// no_answer, drop_after_pages=N, noise=ATTEN:NOISE, silent_after=N,
// silent_after_connect, garbage_after=N):
//   ignore_fdis_after_dial   +FDIS= after ATD is ignored (HylaFAX Class2DDISCmd)
//   late_xon=MS              XON comes MS ms after +FDT's CONNECT; data before it is lost
//   rx_trigger=dc1|dc2|any   what starts received data after +FDR's CONNECT
//   reversed_rx_bits         Class 2 received data bit-reversed at +FBOR=0 (Rockwell)
#pragma once

#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/engine_factory.hpp"

namespace faxemu {

// Class 2 options from key=value pairs (takes the keys it knows).
Class2Options class2_options(EngineOptions& options, Class2Set classes);

void register_virtual_class2_engines();

}  // namespace faxemu
