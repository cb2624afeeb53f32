// The Store in one SQLite file in the spool directory. WAL journal with
// synchronous=FULL: a call that returned has reached the disk, so a committed
// job survives kill -9 and power loss. One connection, guarded by a mutex.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace faxemu {

class SqliteStore final : public Store {
  public:
    // The schema version this code writes; older databases are migrated forward
    // when opened, newer ones are refused (an older faxd must not guess).
    static constexpr int kSchemaVersion = 4;
    // Job ids are 1..kMaxJobId: legacy scripts keep a JobId in a VBScript
    // Integer (CInt), which overflows past 32767.
    static constexpr std::int64_t kMaxJobId = 32767;

    // Opens or creates the database (not its folder). Throws FaxError(Io,
    // "<db path>: <what failed>: <sqlite message>"). `max_job_id` lowers the
    // id limit for tests of its exhaustion.
    explicit SqliteStore(const std::filesystem::path& db_file, std::int64_t max_job_id = kMaxJobId);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // For faxd's health check: "" when a write could start now (the file is
    // writable and no other connection holds the write lock), else why not.
    // Never waits for the lock.
    std::string write_problem() const;

    // Update and add calls of a record that does not exist throw NotFound.
    // add_job throws Io, storing nothing, when no id is free.
    std::int64_t add_job(const Job& job) override;
    void update_job(const Job& job) override;
    std::optional<Job> job(std::int64_t id) const override;
    std::vector<Job> jobs() const override;
    void delete_job(std::int64_t id) override;  // no such job: nothing to do
    int purge_finished_before(TimePoint cutoff) override;

    // A second attempt with the same (job_id, number) throws InvalidParameter.
    void add_attempt(const Attempt& attempt) override;
    void update_attempt(const Attempt& attempt) override;
    void update_job_and_attempt(const Job& job, const Attempt& attempt) override;
    void start_attempts(const std::vector<std::pair<Job, Attempt>>& starts) override;
    std::vector<Attempt> attempts(std::int64_t job_id) const override;  // by number

    std::int64_t add_received(const ReceivedFax& fax) override;
    void update_received(const ReceivedFax& fax) override;
    std::optional<ReceivedFax> received(std::int64_t id) const override;
    std::vector<ReceivedFax> received_faxes() const override;
    void delete_received(std::int64_t id) override;

    void save_port_settings(const PortSettings& settings) override;
    std::vector<PortSettings> port_settings() const override;  // by name
    void save_server_settings(const ServerSettings& settings) override;
    std::optional<ServerSettings> server_settings() const override;

  private:
    class Statement;
    class Transaction;
    // The row writes, without a transaction of their own.
    void write_job(const Job& job);
    void write_attempt(const Attempt& attempt);
    void insert_attempt(const Attempt& attempt);  // inside a transaction
    // Inside a transaction: the id add_job gives, or throws Io when none is free.
    std::int64_t free_job_id() const;

    // A prepared statement from the cache (prepared on first use), reset when
    // the returned object goes. Call only inside a Transaction.
    Statement statement(const char* sql) const;
    void exec(const char* sql) const;
    // Throws FaxError(Io or, for a constraint, NotFound/InvalidParameter) naming
    // the file, what was being done, and SQLite's message.
    [[noreturn]] void fail(int rc) const;
    void migrate();
    void close() noexcept;
    // Inside a transaction: the routing outcomes of one received fax.
    void write_routing(std::int64_t received_id, const std::vector<RoutingOutcome>& routing);
    std::vector<RoutingOutcome> read_routing(std::int64_t received_id) const;

    const std::filesystem::path path_;
    const std::int64_t max_job_id_;
    mutable std::mutex mutex_;  // one connection, one caller at a time; guards all below
    sqlite3* db_ = nullptr;
    mutable std::unordered_map<std::string, sqlite3_stmt*> statements_;
    mutable std::string doing_;  // what the current transaction does, for error messages
};

}  // namespace faxemu
