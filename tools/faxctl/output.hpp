// How faxctl prints what faxd answers: aligned tables for people, or the JSON
// itself (--json) for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace faxemu::faxctl {

using json = nlohmann::json;

struct Column {
    std::string title;
    std::string key;
};

// One row per element of `rows`; booleans as yes/no, missing keys empty.
void print_table(const json& rows, const std::vector<Column>& columns);
// "key: value" lines for one object, nested arrays and objects as compact JSON.
void print_object(const json& object);
std::string cell(const json& value);
// One of faxd's times (ISO 8601 UTC) as people read it: local time with its
// zone, or UTC when `utc` (faxctl --utc); empty for none.
std::string shown_time(const json& iso, bool utc);
// `rows` with each time field of `keys` shown as shown_time() says.
json with_shown_times(json rows, const std::vector<std::string>& keys, bool utc);

}  // namespace faxemu::faxctl
