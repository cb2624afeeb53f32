// When two fax numbers reach the same line. The scheduler must never dial a
// port's own number from that port (it gets "busy" from itself), and sends
// to one number one call at a time; both need "same number" to ignore how the
// number was written ("+1 555 1002", "(555) 1002", "5551002").
#pragma once

#include <string>
#include <string_view>

namespace faxemu {

// The digits of a number, in order: spaces, dashes, parentheses, a leading +
// and the dial-string pauses (,) dropped; * and # kept (they are dialled).
std::string normalized_fax_number(std::string_view number);

// Equal after normalisation, or one ends with the other and the shorter has at
// least kMinTrailingMatchDigits digits: "+1 555 1002" (15551002) and "5551002"
// are one line dialled with and without the country code. Shorter numbers
// (extensions such as "1002") must match exactly.
inline constexpr std::size_t kMinTrailingMatchDigits = 7;
bool same_fax_number(std::string_view a, std::string_view b);

}  // namespace faxemu
