#include "tools/faxd/log_target.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/sinks/systemd_sink.h>
#include <sys/stat.h>

#include <charconv>
#include <cstring>
#include <string>

#include "core/log_escape.hpp"

namespace faxemu::faxd {

namespace {

constexpr const char* kNames[] = {"auto", "stderr", "journald", "syslog"};

template <typename Number>
bool parse_decimal(std::string_view text, Number& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::optional<LogTarget> log_target_from_string(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kNames); ++i)
        if (name == kNames[i]) return static_cast<LogTarget>(i);
    return std::nullopt;
}

const char* to_string(LogTarget target) {
    return kNames[static_cast<std::size_t>(target)];
}

bool stream_is_journal(const char* journal_stream, int fd) {
    if (!journal_stream) return false;
    const std::string_view value(journal_stream);
    const auto colon = value.find(':');
    if (colon == std::string_view::npos) return false;
    unsigned long long device = 0, inode = 0;
    if (!parse_decimal(value.substr(0, colon), device) ||
        !parse_decimal(value.substr(colon + 1), inode))
        return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    return st.st_dev == device && st.st_ino == inode;
}

LogTarget resolve_log_target(LogTarget target, const char* journal_stream, int fd) {
    if (target != LogTarget::Auto) return target;
    return stream_is_journal(journal_stream, fd) ? LogTarget::Journald : LogTarget::Stderr;
}

std::shared_ptr<spdlog::logger> make_logger(LogTarget target) {
    // Every target escapes control characters in messages (core/log_escape.hpp);
    // the journal and syslog stamp time, level and program themselves.
    std::shared_ptr<spdlog::sinks::sink> sink;
    std::unique_ptr<spdlog::formatter> formatter = escaping_message_formatter();
    switch (target) {
        case LogTarget::Journald:
            sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("faxd", true);
            break;
        case LogTarget::Syslog:
            sink =
                std::make_shared<spdlog::sinks::syslog_sink_mt>("faxd", LOG_PID, LOG_DAEMON, true);
            break;
        case LogTarget::Auto:
        case LogTarget::Stderr:
            sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
            formatter = escaping_formatter();
            break;
    }
    sink->set_formatter(std::move(formatter));
    // Unnamed as spdlog's default logger is: stderr lines look as they always did.
    return std::make_shared<spdlog::logger>("", std::move(sink));
}

std::shared_ptr<spdlog::logger> make_file_logger(const std::filesystem::path& file) {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string());
    sink->set_formatter(escaping_formatter());
    return std::make_shared<spdlog::logger>("faxd", std::move(sink));
}

}  // namespace faxemu::faxd
