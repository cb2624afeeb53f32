// A strict reading of Prometheus' text exposition format 0.0.4, for the tests
// of faxd's /metrics: every line a HELP, a TYPE or a sample; names and labels
// as the format allows them; a family's TYPE before its samples and its
// samples together; no series twice; values Go's floats. Throws
// std::runtime_error naming the line on anything else; returns the samples.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace faxemu::test {

// Series key: the name, then its labels sorted by name: name{a="1",b="2"}.
using MetricSamples = std::map<std::string, double>;

namespace prometheus_detail {

inline void fail(int line, const std::string& why, const std::string& text) {
    throw std::runtime_error("metrics line " + std::to_string(line) + ": " + why + ": " + text);
}

// The family a sample belongs to (histogram and summary samples carry suffixes).
inline std::string family_of(const std::string& name,
                             const std::map<std::string, std::string>& types) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
            const std::string base = name.substr(0, name.size() - s.size());
            if (auto t = types.find(base);
                t != types.end() && (t->second == "histogram" || t->second == "summary"))
                return base;
        }
    }
    return name;
}

// Reads `{a="x",b="y"}` from `at`; the label values unescaped.
inline std::map<std::string, std::string> read_labels(const std::string& text, std::size_t& at,
                                                      int line) {
    static const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");
    std::map<std::string, std::string> labels;
    ++at;  // '{'
    while (at < text.size() && text[at] != '}') {
        const auto eq = text.find("=\"", at);
        if (eq == std::string::npos) fail(line, "label without =\"", text);
        const std::string name = text.substr(at, eq - at);
        if (!std::regex_match(name, label_name)) fail(line, "bad label name", text);
        std::string value;
        at = eq + 2;
        for (; at < text.size() && text[at] != '"'; ++at) {
            if (text[at] != '\\') {
                value += text[at];
                continue;
            }
            const char next = at + 1 < text.size() ? text[++at] : '\0';
            if (next == 'n')
                value += '\n';
            else if (next == '\\' || next == '"')
                value += next;
            else
                fail(line, "bad escape in a label value", text);
        }
        if (at >= text.size()) fail(line, "unterminated label value", text);
        if (!labels.emplace(name, value).second) fail(line, "label twice", text);
        ++at;  // closing quote
        if (at < text.size() && text[at] == ',')
            ++at;
        else if (at >= text.size() || text[at] != '}')
            fail(line, "expected , or }", text);
    }
    if (at >= text.size()) fail(line, "unterminated labels", text);
    ++at;  // '}'
    return labels;
}

inline double read_value(const std::string& v, int line, const std::string& text) {
    if (v == "NaN") return NAN;
    if (v == "+Inf") return INFINITY;
    if (v == "-Inf") return -INFINITY;
    static const std::regex number(R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
    if (!std::regex_match(v, number)) fail(line, "bad value", text);
    return std::stod(v);
}

}  // namespace prometheus_detail

inline MetricSamples parse_prometheus_text(const std::string& body) {
    using namespace prometheus_detail;
    static const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static const std::set<std::string> kinds = {"counter", "gauge", "histogram", "summary",
                                                "untyped"};
    if (!body.empty() && body.back() != '\n') throw std::runtime_error("no newline at the end");
    std::map<std::string, std::string> types;
    std::set<std::string> helps, finished;
    std::string current;  // the family whose samples are being read
    MetricSamples samples;
    std::istringstream in(body);
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
        if (text.rfind("# HELP ", 0) == 0 || text.rfind("# TYPE ", 0) == 0) {
            const std::string rest = text.substr(7);
            const auto space = rest.find(' ');
            const std::string name = rest.substr(0, space);
            if (!std::regex_match(name, metric_name)) fail(line, "bad metric name", text);
            if (space == std::string::npos) fail(line, "HELP or TYPE without text", text);
            if (finished.count(name) || (name == current && text[2] == 'T'))
                fail(line, "HELP or TYPE after the family's samples", text);
            if (text[2] == 'H' && !helps.insert(name).second) fail(line, "HELP twice", text);
            if (text[2] == 'T') {
                if (!kinds.count(rest.substr(space + 1))) fail(line, "unknown type", text);
                if (!types.emplace(name, rest.substr(space + 1)).second)
                    fail(line, "TYPE twice", text);
            }
            continue;
        }
        if (text.empty() || text[0] == '#') fail(line, "not HELP, TYPE or a sample", text);
        std::size_t at = text.find_first_of("{ ");
        if (at == std::string::npos) fail(line, "sample without a value", text);
        const std::string name = text.substr(0, at);
        if (!std::regex_match(name, metric_name)) fail(line, "bad metric name", text);
        const auto labels =
            text[at] == '{' ? read_labels(text, at, line) : std::map<std::string, std::string>{};
        if (at >= text.size() || text[at] != ' ') fail(line, "no space before the value", text);
        std::istringstream rest(text.substr(at + 1));
        std::string value, timestamp, extra;
        rest >> value >> timestamp >> extra;
        if (!extra.empty() ||
            (!timestamp.empty() && !std::regex_match(timestamp, std::regex("-?[0-9]+"))))
            fail(line, "junk after the value", text);
        const std::string family = family_of(name, types);
        if (!types.count(family)) fail(line, "sample of a family with no TYPE", text);
        if (family != current) {
            if (finished.count(family)) fail(line, "family's samples not together", text);
            if (!current.empty()) finished.insert(current);
            current = family;
        }
        std::string key = name + "{";
        for (const auto& [k, v] : labels) key += k + "=\"" + v + "\",";
        key += "}";
        if (!samples.emplace(key, read_value(value, line, text)).second)
            fail(line, "series twice", text);
    }
    return samples;
}

}  // namespace faxemu::test
