// Where faxd's log goes: the journal when systemd runs faxd with its output
// in the journal, syslog if asked, stderr otherwise (a file with --log-file).
// "auto" follows systemd's own rule (sd_journal_stream_fd(3), systemd.exec(5)):
// JOURNAL_STREAM names the device and inode of the stream systemd connected
// to the service's stderr; when fd 2 is still that stream, stderr is the journal
// and faxd logs natively there (priorities kept as fields, not as text).
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

namespace faxemu::faxd {

enum class LogTarget { Auto, Stderr, Journald, Syslog };

std::optional<LogTarget> log_target_from_string(std::string_view name);  // "auto", "stderr", ...
const char* to_string(LogTarget target);

// True when `journal_stream` ("DEVICE:INODE" in decimal, as systemd sets
// JOURNAL_STREAM; null when unset) names the file open on `fd`.
bool stream_is_journal(const char* journal_stream, int fd);

// Auto becomes Journald when stderr (fd 2) is the journal, else Stderr.
LogTarget resolve_log_target(LogTarget target, const char* journal_stream, int fd = 2);

// The logger for `target` (resolved): levels become the journal's and syslog's
// priorities (info 6, warn 4, error 3, critical 2), with identifier "faxd".
std::shared_ptr<spdlog::logger> make_logger(LogTarget target);
// The logger of --log-file / [server] log_file, which wins over the target.
std::shared_ptr<spdlog::logger> make_file_logger(const std::filesystem::path& file);

}  // namespace faxemu::faxd
