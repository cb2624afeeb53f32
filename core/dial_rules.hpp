// Dial rules, as HylaFAX's DialStringRules: a number as a user types it
// ("+1 555 100 2000", "(555) 100-2000", "011 44 20...", "1002000") has one
// canonical form ("+15551002000"), which is what the scheduler compares ("never
// dial your own port's number", "one call per number"), and one dial string,
// what the device dials: the outside-line prefix, then the number in its local,
// long-distance or international form as seen from where the port is.
// Pure: no I/O, no state beyond the rules.
#pragma once

#include <string>
#include <string_view>

namespace faxemu {

struct DialRules {
    // Where the ports are: "1" and "555" (HylaFAX's CountryCode, AreaCode).
    // Empty country code: the rules know nothing and numbers are dialled as
    // typed (the embedded default, and the simulated exchange's numbers).
    std::string country_code;
    std::string area_code;
    // What is dialled before a national number in another area ("1" in North
    // America, "0" in most of Europe; HylaFAX's LongDistancePrefix) and before
    // a number in another country ("011", "00"; InternationalPrefix).
    std::string long_distance_prefix;
    std::string international_prefix;
    // Dialled first to reach the outside line from a PBX, e.g. "9," (the comma
    // is the modem's pause). Applies with or without a country code.
    std::string outside_line_prefix;

    bool knows_location() const { return !country_code.empty(); }

    // "+<country><area><subscriber>" when the rules know the location: a
    // leading + or the international prefix starts an international number,
    // the long-distance prefix a national one, anything else is local (as
    // HylaFAX's default rules). Without a location: the dialled digits
    // (normalized_fax_number). Empty if the number has no digit.
    std::string canonical(std::string_view number) const;

    // What the device dials for `number`: the outside-line prefix, then the
    // number as typed (without a location), or its local, long-distance or
    // international form.
    std::string dial_string(std::string_view number) const;

    // Whether two numbers reach the same line: their canonical forms are equal
    // or, without a location, same_fax_number says so (a trailing match of at
    // least seven digits: with and without a country code).
    bool same_number(std::string_view a, std::string_view b) const;
};

// Problems with the rules' values (digits only for the codes and prefixes;
// the outside-line prefix may also hold , * #; a country code whenever another
// code is set), "" if none. The message starts with the setting's name.
std::string dial_rules_problem(const DialRules& rules);

}  // namespace faxemu
