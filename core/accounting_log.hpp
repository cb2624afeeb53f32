// The accounting log: one line per call, outbound and inbound, as HylaFAX's
// xferfaxlog, for billing and for "what did the fax server do last month"
// with cut, awk or a spreadsheet. Lines are appended by a writer thread of the
// log's own, so a slow disk never holds up the thread that drives the lines.
//
// A line is 14 fields separated by tabs (documented in the man page faxd(8)):
//   1 date       the call's start, UTC, 2026-12-07T13:40:05Z
//   2 direction  SEND or RECV
//   3 id         the job's id (SEND) or the received fax's id (RECV)
//   4 user       the job's owner (SEND); empty for RECV
//   5 number     the number as the job gives it (SEND) or the caller id (RECV)
//   6 dialled    what the device dialled, after the dial rules (SEND); empty for RECV
//   7 remote     the far end's station id: its CSID (SEND) or TSID (RECV)
//   8 port       the port's name
//   9 pages      pages sent or received
//  10 duration   seconds from dialling or answering to the end of the call
//  11 rate       the signalling rate in bit/s; 0 if the call never trained
//  12 params     modulation, resolution, compression and ECM, space-separated
//  13 result     "ok", or the failure class (busy, no answer, no carrier, ...)
//  14 cause      the cause as text (spandsp's T.30 cause, or the line's)
// Every field is escaped: a backslash is written \\, control characters as
// \t, \n, \r or \xHH, so a hostile CSID or caller id cannot start a field or a
// line of its own.
#pragma once

#include <sys/types.h>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "core/dcs.hpp"

namespace faxemu {

struct AccountingRecord {
    TimePoint start{};
    TimePoint end{};
    bool outbound = false;
    std::int64_t id = 0;
    std::string user;
    std::string number;
    std::string dialled;
    std::string remote_ident;
    std::string port;
    int pages = 0;
    DcsInfo session;
    std::string result;  // "ok" or the failure class
    std::string cause;
};

// One record as a line (with its newline), every field escaped.
std::string accounting_line(const AccountingRecord& record);

class AccountingLog {
  public:
    // Opens (creating with `file_mode`) `path` for appending; throws
    // std::runtime_error naming the file if it cannot.
    AccountingLog(const std::filesystem::path& path, mode_t file_mode);
    // Writes what is queued, then closes.
    ~AccountingLog();
    AccountingLog(const AccountingLog&) = delete;
    AccountingLog& operator=(const AccountingLog&) = delete;

    // Queues the record's line; returns at once. The writer thread appends the
    // lines queued so far in one write and then fdatasync()s the file, so a
    // line is on disk within one disk flush of the call's end.
    void append(const AccountingRecord& record);
    // Waits until every line queued before it is written and synced.
    void flush();

    const std::filesystem::path& path() const { return path_; }

  private:
    void write_loop(std::stop_token stop);
    void write_all(const std::string& text);

    std::filesystem::path path_;
    int fd_ = -1;
    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::string queued_;
    std::uint64_t queued_count_ = 0;   // lines ever queued
    std::uint64_t written_count_ = 0;  // lines ever written and synced
    bool failing_ = false;             // the last write failed (logged once)
    std::jthread writer_;
};

}  // namespace faxemu
