#include "tools/faxctl/output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/local_time.hpp"

namespace faxemu::faxctl {

std::string cell(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    return v.dump();
}

void print_table(const json& rows, const std::vector<Column>& columns) {
    std::vector<std::size_t> width;
    for (const Column& c : columns) width.push_back(c.title.size());
    std::vector<std::vector<std::string>> cells;
    for (const json& row : rows) {
        std::vector<std::string> line;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            line.push_back(row.contains(columns[i].key) ? cell(row[columns[i].key]) : "");
            width[i] = std::max(width[i], line.back().size());
        }
        cells.push_back(std::move(line));
    }
    auto print_line = [&](const std::vector<std::string>& line) {
        std::string out;
        for (std::size_t i = 0; i < line.size(); ++i)
            out += fmt::format("{:<{}}", line[i], i + 1 < line.size() ? width[i] + 2 : 0);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        fmt::print("{}\n", out);
    };
    std::vector<std::string> titles;
    for (const Column& c : columns) titles.push_back(c.title);
    print_line(titles);
    for (const auto& line : cells) print_line(line);
}

void print_object(const json& object) {
    std::size_t w = 0;
    for (auto it = object.begin(); it != object.end(); ++it) w = std::max(w, it.key().size());
    for (auto it = object.begin(); it != object.end(); ++it)
        fmt::print("{:<{}}  {}\n", it.key() + ":", w + 1, cell(it.value()));
}

std::string shown_time(const json& iso, bool utc) {
    if (!iso.is_string()) return "";
    const std::string text = iso.get<std::string>();
    const auto t = parse_iso_utc(text);
    return t ? time_with_zone(*t, utc) : text;
}

json with_shown_times(json rows, const std::vector<std::string>& keys, bool utc) {
    for (json& row : rows)
        for (const std::string& key : keys)
            if (row.contains(key)) row[key] = shown_time(row[key], utc);
    return rows;
}

}  // namespace faxemu::faxctl
