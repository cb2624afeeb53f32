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

}  // namespace faxemu::faxctl
