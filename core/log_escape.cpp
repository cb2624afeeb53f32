#include "core/log_escape.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace faxemu {

std::string escape_control_characters(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else if (c == 0xc2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            // U+0080..U+009F: C1 controls, which some terminals obey (CSI).
            const auto low = static_cast<unsigned char>(text[++i]);
            out += "\\u00";
            out += kHex[low >> 4];
            out += kHex[low & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

namespace {

class EscapingFormatter final : public spdlog::formatter {
  public:
    EscapingFormatter() : inner_(std::make_unique<spdlog::pattern_formatter>()) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        // Most lines are clean: no copy for them.
        const bool clean = std::none_of(payload.begin(), payload.end(), [](char ch) {
            const auto c = static_cast<unsigned char>(ch);
            return c < 0x20 || c == 0x7f || c == 0xc2;
        });
        if (clean) return inner_->format(msg, dest);
        const std::string escaped = escape_control_characters(payload);
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
        inner_->format(copy, dest);
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<EscapingFormatter>();
    }

  private:
    std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> escaping_formatter() {
    return std::make_unique<EscapingFormatter>();
}

void escape_logged_control_characters() {
    spdlog::set_formatter(escaping_formatter());
}

}  // namespace faxemu
