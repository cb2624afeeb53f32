// The virtual Class 2 modem's side of the session parameters (the struct and
// its text form are devices/class2_protocol/class2_params.hpp): its defaults and
// ranges, and their conversion from and to the T.30 DIS and DCS frames, so it
// can report +FDIS:/+FDCS: and restrict spandsp's T.30 to what the host asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "devices/class2_protocol/class2_params.hpp"

namespace faxemu::vclass2 {

using faxemu::Class2Params;
using faxemu::Class2Variant;

// What the modem offers until the host says otherwise (+FDCC=/+FCC=): fine,
// 14400 bit/s, 1728 px, unlimited length, MH, no ECM.
inline constexpr Class2Params kModemDefaults{1, 5, 0, 2, 0, 0, 0, 0};

// The +FDCC=?/+FCC=? answer: the ranges this modem supports, in the class's codes.
std::string class2_param_ranges(Class2Variant v);

// Hosts send larger values than a modem supports (e.g. br=13 for V.34): a real
// modem clamps them to its own maximum (the ranges above).
Class2Params clamp_to_modem(Class2Params p);

// The capabilities a remote DIS (or DTC) offers, in Class 2 terms. `frame` is the
// HDLC frame as spandsp gives it: address, control, FCF, FIF...
std::optional<Class2Params> params_from_dis(const std::uint8_t* frame, std::size_t len);
// The session a DCS commands.
std::optional<Class2Params> params_from_dcs(const std::uint8_t* frame, std::size_t len);

// What the modem will command in DCS when it sends: the host's wishes limited by
// the remote's DIS (fastest common modem, best common coding, ECM only if both).
Class2Params negotiate_session(const Class2Params& host, const Class2Params& remote_dis);

// spandsp T30_SUPPORT_* masks that make T.30 pick exactly what `p` allows.
int t30_modulations_for(const Class2Params& p);
int t30_compressions_for(const Class2Params& p);

}  // namespace faxemu::vclass2
