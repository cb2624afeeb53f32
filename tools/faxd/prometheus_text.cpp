#include "tools/faxd/prometheus_text.hpp"

#include <cctype>
#include <charconv>

namespace faxemu::faxd {

namespace {

// HELP text escapes backslash and newline; label values also the double quote.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out += c;
    }
}

}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void PrometheusText::labels(const MetricLabels& labels) {
    if (labels.empty()) return;
    out_ += '{';
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += name;
        out_ += "=\"";
        append_escaped(out_, value, true);
        out_ += '"';
    }
    out_ += '}';
}

void PrometheusText::sample(std::string_view name, const MetricLabels& l, std::int64_t value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const MetricLabels& l, double value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, ec == std::errc{} ? end : buf);
    out_ += '\n';
}

std::string metric_label_value(std::string_view words) {
    std::string out;
    for (const char c : words)
        out += std::isalnum(static_cast<unsigned char>(c))
                   ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                   : '_';
    return out;
}

}  // namespace faxemu::faxd
