// Registers the virtual Class 2/2.0 modems with the engine factory
// (devices/virtual_modem/engine_factory.hpp), for faxmodem:
//   class=2     Class2Engine offering Class 2 only   (+FCLASS=? -> 0,2)
//   class=2.0   Class2Engine offering Class 2.0 only (+FCLASS=? -> 0,2.0)
//   class=all   MultiClassEngine: 0,1,2,2.0
// Options: the Class 1 modem's caller id, identity and faults, and the Class 2
// quirks documented in register_engines.cpp (ignore_fdis_after_dial for HylaFAX's
// Class2DDISCmd, late_xon, rx_trigger, reversed_rx_bits for Rockwell's +FBOR=0);
// engine_options_help() lists them all.
#pragma once

#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/engine_factory.hpp"

namespace faxemu {

// Class 2 options from key=value pairs (takes the keys it knows).
Class2Options class2_options(EngineOptions& options, Class2Set classes);

void register_virtual_class2_engines();

}  // namespace faxemu
