#include "core/log_escape.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "core/client_text.hpp"

namespace faxemu {

std::string escape_control_characters(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::size_t control = control_character_at(text, i);
        const auto c = static_cast<unsigned char>(text[i]);
        if (control == 0) {
            out += text[i];
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (control == 1) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            // U+0080..U+009F: C1 controls, which some terminals obey (CSI).
            const auto low = static_cast<unsigned char>(text[++i]);
            out += "\\u00";
            out += kHex[low >> 4];
            out += kHex[low & 0xf];
        }
    }
    return out;
}

namespace {

class EscapingFormatter final : public spdlog::formatter {
  public:
    explicit EscapingFormatter(std::unique_ptr<spdlog::formatter> inner)
        : inner_(std::move(inner)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        // Most lines are clean: no copy for them.
        bool clean = true;
        for (std::size_t i = 0; clean && i < payload.size(); ++i)
            clean = control_character_at(payload, i) == 0;
        if (clean) return inner_->format(msg, dest);
        const std::string escaped = escape_control_characters(payload);
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
        inner_->format(copy, dest);
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<EscapingFormatter>(inner_->clone());
    }

  private:
    std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> escaping_formatter() {
    return std::make_unique<EscapingFormatter>(std::make_unique<spdlog::pattern_formatter>());
}

std::unique_ptr<spdlog::formatter> escaping_message_formatter() {
    return std::make_unique<EscapingFormatter>(
        std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::local, ""));
}

void escape_logged_control_characters() {
    spdlog::set_formatter(escaping_formatter());
}

}  // namespace faxemu
