#include "core/accounting_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/log_escape.hpp"

namespace faxemu {

namespace {

// Backslashes first, so that "\t" written by a caller stays tellable from an
// escaped tab; then every control character (tab and newline included).
std::string field(std::string_view text) {
    std::string doubled;
    doubled.reserve(text.size());
    for (char c : text) {
        if (c == '\\') doubled += '\\';
        doubled += c;
    }
    return escape_control_characters(doubled);
}

std::string params_of(const DcsInfo& s) {
    std::string out;
    for (const std::string* part : {&s.modulation, &s.resolution, &s.compression})
        if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
    if (s.ecm) out += out.empty() ? "ECM" : " ECM";
    return out;
}

// ISO 8601 in UTC, whatever the process's time zone.
std::string utc_text(TimePoint t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd(day);
    const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t - day));
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace

std::string accounting_line(const AccountingRecord& r) {
    const auto seconds = std::chrono::round<std::chrono::seconds>(r.end - r.start);
    return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                       utc_text(r.start), r.outbound ? "SEND" : "RECV", r.id, field(r.user),
                       field(r.number), field(r.dialled), field(r.remote_ident), field(r.port),
                       r.pages, std::max<std::int64_t>(0, seconds.count()), r.session.bit_rate,
                       field(params_of(r.session)), field(r.result), field(r.cause));
}

AccountingLog::AccountingLog(const std::filesystem::path& path, mode_t file_mode) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, file_mode);
    if (fd_ < 0)
        throw std::runtime_error(path.string() +
                                 ": cannot open the accounting log: " + std::strerror(errno));
    writer_ = std::jthread([this](std::stop_token stop) { write_loop(stop); });
}

AccountingLog::~AccountingLog() {
    writer_.request_stop();
    writer_.join();  // writes what is queued first
    ::close(fd_);
}

void AccountingLog::append(const AccountingRecord& record) {
    const std::string line = accounting_line(record);
    std::lock_guard lock(mutex_);
    queued_ += line;
    ++queued_count_;
    changed_.notify_all();
}

void AccountingLog::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = queued_count_;
    changed_.wait(lock, [&] { return written_count_ >= target; });
}

void AccountingLog::write_loop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, stop, [&] { return !queued_.empty(); });
        if (queued_.empty()) return;  // stopping, and nothing left
        const std::string batch = std::move(queued_);
        queued_.clear();
        const std::uint64_t count = queued_count_;
        lock.unlock();
        write_all(batch);
        lock.lock();
        written_count_ = count;
        changed_.notify_all();
    }
}

void AccountingLog::write_all(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // A full disk: the lines are lost, said once until a write works again.
            if (!failing_)
                spdlog::error("accounting log {}: write failed: {}", path_.string(),
                              std::strerror(errno));
            failing_ = true;
            return;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0 && !failing_) {
        spdlog::error("accounting log {}: fdatasync failed: {}", path_.string(),
                      std::strerror(errno));
        failing_ = true;
        return;
    }
    failing_ = false;
}

}  // namespace faxemu
