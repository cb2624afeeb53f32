// "Did you mean …?" for a misspelt name: a config key (faxd), a subcommand or
// a flag (faxctl). In the client library so that both can use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxemu {

// The name in `known` closest to `typed` by edit distance (insert, delete,
// replace, or swap two neighbours), if it is close enough to be a slip of
// the fingers: at most 1 edit for short names, 2 for longer ones.
std::optional<std::string> closest_name(std::string_view typed,
                                        const std::vector<std::string>& known);

// " (did you mean \"NAME\"?)" or "".
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& known);

}  // namespace faxemu
