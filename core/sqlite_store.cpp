#include "core/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/error.hpp"
#include "core/refusal.hpp"

namespace faxemu {

namespace {

// The schema, one entry per version: kMigrations[v] takes a database from
// user_version v to v + 1. Append a step for a change; never edit a shipped one.
//
// Times are integer microseconds since the Unix epoch (UTC); NULL where the
// record has none. Booleans are 0/1. Device statuses are the FPS_* numbers,
// job types the JT_* numbers (both stable winfax values); job states and
// failure classes are the words of to_string(), so reading them does not
// depend on the order of the C++ enums.
//
// jobs             one outbound job (struct Job, field for field). id is
//                  chosen by add_job (see job_ids); before schema 4 it was
//                  AUTOINCREMENT alone, never reused and unbounded.
//   state          to_string(JobState): queued, in_progress, ..., cancelled
//   device_status  FPS_* of the current or last attempt
//   next_attempt   not before this time
//   finished       when it reached a final state; NULL while it is not final
//   last_failure   to_string(FailureClass) of the last attempt
//   notify_address who is mailed when the job ends ('' for nobody)
//   notify_when    to_string(NotifyWhen): never, done, fail, all
//   failures_*     failed attempts by class (FailureCounts): busy, no_answer,
//                  no_carrier, other (protocol errors and dropped lines)
//   priority       dispatch order, higher first
//   send_at        the first attempt not before this; NULL: at once
//   ports          names of the ports or port groups it may use, one per line
//                  ('' for any)
//   max_retries    retries in all instead of the per-class limits; -1: those
//   seq            submit order (ids are reused, so they are not): one more
//                  than the highest of the jobs stored when it was added
// job_ids          one row: the last job id issued. Since schema 4 ids stay in
//                  1..kMaxJobId and an id comes back once its job is gone
//                  (deleted or purged): the next free one above the last issued,
//                  wrapping round. AUTOINCREMENT still guards ids of old spools.
// attempts         each try at a job, keyed (job_id, number); deleted with it.
//   end            NULL: the attempt is open, or faxd died during it
//   first_page     pages already confirmed when it started (0-based resume point)
//   pages_sent     pages confirmed in this attempt
//   status         FPS_* it ended with; failure: to_string(FailureClass)
// received         one inbound fax (struct ReceivedFax without routing); id as jobs.
// routing_outcomes what each routing method did with a received fax, in the
//                  order the methods ran (position 0, 1, ...); deleted with it.
// port_settings    IFaxPort settings changed through the API, by port name.
// routing_settings per (port name, routing method GUID): enabled and its data;
//                  position keeps the port's routing order.
// server_settings  the IFaxServer properties: one row, id = 1.
constexpr std::array<const char*, SqliteStore::kSchemaVersion> kMigrations{{
    R"sql(
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type INTEGER NOT NULL,
    state TEXT NOT NULL,
    user_name TEXT NOT NULL,
    fax_number TEXT NOT NULL,
    document TEXT NOT NULL,
    display_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    page_count INTEGER NOT NULL,
    recipient_name TEXT NOT NULL,
    tsid TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    sender_company TEXT NOT NULL,
    sender_dept TEXT NOT NULL,
    billing_code TEXT NOT NULL,
    discount_send INTEGER NOT NULL,
    submitted INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    pages_sent INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    device_status INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    finished INTEGER,
    last_error TEXT NOT NULL,
    last_t30_cause INTEGER NOT NULL,
    last_failure TEXT NOT NULL
);
CREATE INDEX jobs_by_finished ON jobs(finished);
CREATE TABLE attempts (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER,
    first_page INTEGER NOT NULL,
    pages_sent INTEGER NOT NULL,
    status INTEGER NOT NULL,
    failure TEXT NOT NULL,
    t30_cause INTEGER NOT NULL,
    cause_text TEXT NOT NULL,
    PRIMARY KEY (job_id, number)
);
CREATE TABLE received (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id INTEGER NOT NULL,
    port_name TEXT NOT NULL,
    file TEXT NOT NULL,
    pages INTEGER NOT NULL,
    remote_ident TEXT NOT NULL,
    caller_id TEXT NOT NULL,
    csid TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER,
    partial INTEGER NOT NULL,
    status TEXT NOT NULL,
    cause_text TEXT NOT NULL,
    bit_rate INTEGER NOT NULL,
    resolution TEXT NOT NULL,
    compression TEXT NOT NULL
);
CREATE TABLE routing_outcomes (
    received_id INTEGER NOT NULL REFERENCES received(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    guid TEXT NOT NULL,
    routing_data TEXT NOT NULL,
    done INTEGER NOT NULL,
    tries INTEGER NOT NULL,
    detail TEXT NOT NULL,
    next_try INTEGER,
    PRIMARY KEY (received_id, position)
);
CREATE TABLE port_settings (
    name TEXT PRIMARY KEY,
    rings INTEGER NOT NULL,
    csid TEXT NOT NULL,
    tsid TEXT NOT NULL,
    send INTEGER NOT NULL,
    receive INTEGER NOT NULL,
    priority INTEGER NOT NULL
);
CREATE TABLE routing_settings (
    port_name TEXT NOT NULL REFERENCES port_settings(name) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    position INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (port_name, guid)
);
CREATE TABLE server_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    retries INTEGER NOT NULL,
    retry_delay INTEGER NOT NULL,
    dirty_days INTEGER NOT NULL,
    branding INTEGER NOT NULL,
    use_device_tsid INTEGER NOT NULL,
    server_coverpage INTEGER NOT NULL,
    pause_server_queue INTEGER NOT NULL,
    archive_outbound_faxes INTEGER NOT NULL,
    archive_directory TEXT NOT NULL,
    server_mapi_profile TEXT NOT NULL,
    discount_start_hour INTEGER NOT NULL,
    discount_start_minute INTEGER NOT NULL,
    discount_end_hour INTEGER NOT NULL,
    discount_end_minute INTEGER NOT NULL
);
)sql",
    // 2: the mail notice a submitter asked for (Job::notify_address, notify_when).
    R"sql(
ALTER TABLE jobs ADD COLUMN notify_address TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN notify_when TEXT NOT NULL DEFAULT 'never';
)sql",
    // 3: retries per failure class, send-at time, ports, priority. A job of an
    // older spool gets its counts from its recorded attempts.
    R"sql(
ALTER TABLE jobs ADD COLUMN failures_busy INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failures_no_answer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failures_no_carrier INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failures_other INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 50;
ALTER TABLE jobs ADD COLUMN send_at INTEGER;
ALTER TABLE jobs ADD COLUMN ports TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN max_retries INTEGER NOT NULL DEFAULT -1;
UPDATE jobs SET
    failures_busy = (SELECT count(*) FROM attempts a
                     WHERE a.job_id = jobs.id AND a.failure = 'busy'),
    failures_no_answer = (SELECT count(*) FROM attempts a
                          WHERE a.job_id = jobs.id AND a.failure = 'no answer'),
    failures_no_carrier = (SELECT count(*) FROM attempts a
                           WHERE a.job_id = jobs.id AND a.failure = 'no carrier'),
    failures_other = (SELECT count(*) FROM attempts a WHERE a.job_id = jobs.id
                      AND a.failure IN ('protocol', 'line dropped') AND a.end IS NOT NULL);
)sql",
    // 4: job ids below 32768, reused once their job is gone (legacy clients keep
    // JobId in a 16-bit Integer), and the submit order they no longer give.
    // Existing jobs keep their ids, even above the limit; issuing goes on after
    // the highest id ever issued (wrapping round when that is above the limit).
    R"sql(
ALTER TABLE jobs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET seq = id;
CREATE INDEX jobs_by_seq ON jobs(seq);
CREATE TABLE job_ids (one INTEGER PRIMARY KEY CHECK (one = 1), last INTEGER NOT NULL);
INSERT INTO job_ids VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'jobs'),
                                        (SELECT max(id) FROM jobs), 0));
)sql",
}};

std::int64_t micros(TimePoint t) {
    return t.time_since_epoch().count();
}
TimePoint time_of(std::int64_t us) {
    return TimePoint{Duration{us}};
}

std::optional<FailureClass> failure_from_string(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(FailureClass::Aborted); ++i) {
        const auto f = static_cast<FailureClass>(i);
        if (s == to_string(f)) return f;
    }
    return std::nullopt;
}

constexpr const char* kJobColumns =
    "type, state, user_name, fax_number, document, display_name, size, page_count, "
    "recipient_name, tsid, sender_name, sender_company, sender_dept, billing_code, "
    "discount_send, submitted, attempts, pages_sent, device_id, device_status, next_attempt, "
    "finished, last_error, last_t30_cause, last_failure, notify_address, notify_when, "
    "failures_busy, failures_no_answer, failures_no_carrier, failures_other, priority, send_at, "
    "ports, max_retries";

std::string join_lines(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from < text.size()) {
        auto end = text.find('\n', from);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(from, end - from));
        from = end + 1;
    }
    return out;
}

}  // namespace

// One use of a cached prepared statement. Parameters and columns are numbered
// as in SQLite: parameters from 1, columns from 0.
// How long a writer waits for another connection's write lock.
constexpr int kBusyTimeoutMs = 5000;

class SqliteStore::Statement {
  public:
    Statement(const SqliteStore& store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}
    ~Statement() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
    void bind(int i, std::int32_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
    void bind(int i, bool v) { check(sqlite3_bind_int(stmt_, i, v ? 1 : 0)); }
    void bind(int i, const std::string& v) {
        check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    void bind(int i, const char* v) { check(sqlite3_bind_text(stmt_, i, v, -1, SQLITE_TRANSIENT)); }
    void bind(int i, TimePoint v) { bind(i, micros(v)); }
    void bind(int i, const std::optional<TimePoint>& v) {
        if (v)
            bind(i, *v);
        else
            check(sqlite3_bind_null(stmt_, i));
    }

    // True while there is a row to read.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        store_.fail(rc);
    }
    void run() {
        while (step()) {
        }
    }

    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::int32_t int32(int col) const { return static_cast<std::int32_t>(int64(col)); }
    bool boolean(int col) const { return int64(col) != 0; }
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                 : std::string();
    }
    TimePoint time(int col) const { return time_of(int64(col)); }
    std::optional<TimePoint> optional_time(int col) const {
        if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
        return time(col);
    }
    Fps fps(int col) const { return static_cast<Fps>(static_cast<std::uint32_t>(int64(col))); }
    FailureClass failure(int col) const {
        const auto s = text(col);
        if (auto f = failure_from_string(s)) return *f;
        corrupt("unknown failure class \"" + s + "\"");
    }
    JobState state(int col) const {
        const auto s = text(col);
        if (auto st = job_state_from_string(s)) return *st;
        corrupt("unknown job state \"" + s + "\"");
    }

  private:
    void check(int rc) const {
        if (rc != SQLITE_OK) store_.fail(rc);
    }
    [[noreturn]] void corrupt(const std::string& what) const {
        throw FaxError(ErrorCode::Io, store_.path_.string() + ": " + store_.doing_ + ": " + what);
    }

    const SqliteStore& store_;
    sqlite3_stmt* stmt_;
};

// Holds the connection's lock for one transaction; rolls back unless committed.
// BEGIN IMMEDIATE for writers takes the write lock at once, so a busy database
// waits (busy_timeout) at the start instead of failing half way.
class SqliteStore::Transaction {
  public:
    Transaction(const SqliteStore& store, std::string doing, bool write = true)
        : lock_(store.mutex_), store_(store) {
        store_.doing_ = std::move(doing);
        store_.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
    }
    ~Transaction() {
        if (!committed_) sqlite3_exec(store_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit() {
        store_.exec("COMMIT");
        committed_ = true;
    }

  private:
    std::lock_guard<std::mutex> lock_;
    const SqliteStore& store_;
    bool committed_ = false;
};

SqliteStore::SqliteStore(const std::filesystem::path& db_file, std::int64_t max_job_id)
    : path_(db_file), max_job_id_(max_job_id) {
    std::lock_guard lock(mutex_);
    doing_ = "opening the database";
    const int rc =
        sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    try {
        if (db_ == nullptr)
            throw FaxError(ErrorCode::Io, path_.string() + ": " + doing_ + ": out of memory");
        if (rc != SQLITE_OK) fail(rc);
        sqlite3_extended_result_codes(db_, 1);
        // Another process (a faxctl reading the queue) may hold the lock briefly.
        sqlite3_busy_timeout(db_, kBusyTimeoutMs);
        // A file that is not a database shows here, at the first read.
        doing_ = "setting WAL mode";
        {
            auto st = statement("PRAGMA journal_mode=WAL");
            if (!st.step() || st.text(0) != "wal")
                throw FaxError(ErrorCode::Io,
                               path_.string() + ": " + doing_ + ": the database refused WAL mode");
        }
        doing_ = "setting synchronous=FULL";
        exec("PRAGMA synchronous=FULL");
        doing_ = "turning on foreign keys";
        exec("PRAGMA foreign_keys=ON");
        migrate();
    } catch (...) {
        close();
        throw;
    }
}

SqliteStore::~SqliteStore() {
    close();
}

void SqliteStore::close() noexcept {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
}

void SqliteStore::fail(int rc) const {
    const std::string message =
        path_.string() + ": " + doing_ + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    switch (rc) {
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            throw FaxError(ErrorCode::NotFound, message);
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE:
            throw FaxError(ErrorCode::InvalidParameter, message);
        default:
            throw FaxError(ErrorCode::Io, message);
    }
}

void SqliteStore::exec(const char* sql) const {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(sqlite3_extended_errcode(db_));
}

SqliteStore::Statement SqliteStore::statement(const char* sql) const {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) fail(rc);
        it = statements_.emplace(sql, stmt).first;
    }
    return Statement(*this, it->second);
}

void SqliteStore::migrate() {
    doing_ = "reading the schema version";
    int version = 0;
    {
        auto st = statement("PRAGMA user_version");
        if (st.step()) version = static_cast<int>(st.int64(0));
    }
    if (version > kSchemaVersion)
        throw FaxError(ErrorCode::Io, path_.string() + ": the database has schema version " +
                                          std::to_string(version) + "; this faxd knows up to " +
                                          std::to_string(kSchemaVersion));
    for (int v = version; v < kSchemaVersion; ++v) {
        // Each step and its version number commit together: a crash mid-way
        // leaves the previous version, and the step runs again.
        doing_ = "migrating the schema to version " + std::to_string(v + 1);
        exec("BEGIN IMMEDIATE");
        try {
            exec(kMigrations[static_cast<std::size_t>(v)]);
            exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
            exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

// --- jobs ---

namespace {

template <typename Stmt>
void bind_job(Stmt& st, const Job& j) {
    st.bind(1, static_cast<std::int32_t>(j.type));
    st.bind(2, to_string(j.state));
    st.bind(3, j.user_name);
    st.bind(4, j.fax_number);
    st.bind(5, j.document);
    st.bind(6, j.display_name);
    st.bind(7, j.size);
    st.bind(8, j.page_count);
    st.bind(9, j.recipient_name);
    st.bind(10, j.tsid);
    st.bind(11, j.sender_name);
    st.bind(12, j.sender_company);
    st.bind(13, j.sender_dept);
    st.bind(14, j.billing_code);
    st.bind(15, j.discount_send);
    st.bind(16, j.submitted);
    st.bind(17, j.attempts);
    st.bind(18, j.pages_sent);
    st.bind(19, j.device_id);
    st.bind(20, static_cast<std::int64_t>(j.device_status));
    st.bind(21, j.next_attempt);
    st.bind(22, j.finished);
    st.bind(23, j.last_error);
    st.bind(24, static_cast<std::int64_t>(j.last_t30_cause));
    st.bind(25, to_string(j.last_failure));
    st.bind(26, j.notify_address);
    st.bind(27, to_string(j.notify_when));
    st.bind(28, j.failures.busy);
    st.bind(29, j.failures.no_answer);
    st.bind(30, j.failures.no_carrier);
    st.bind(31, j.failures.other);
    st.bind(32, j.priority);
    st.bind(33, j.send_at);
    st.bind(34, join_lines(j.ports));
    st.bind(35, j.max_retries);
}

// Columns: id, then kJobColumns.
template <typename Stmt>
Job read_job(const Stmt& st) {
    Job j;
    j.id = st.int64(0);
    j.type = static_cast<JobType>(st.int32(1));
    j.state = st.state(2);
    j.user_name = st.text(3);
    j.fax_number = st.text(4);
    j.document = st.text(5);
    j.display_name = st.text(6);
    j.size = st.int64(7);
    j.page_count = st.int32(8);
    j.recipient_name = st.text(9);
    j.tsid = st.text(10);
    j.sender_name = st.text(11);
    j.sender_company = st.text(12);
    j.sender_dept = st.text(13);
    j.billing_code = st.text(14);
    j.discount_send = st.boolean(15);
    j.submitted = st.time(16);
    j.attempts = st.int32(17);
    j.pages_sent = st.int32(18);
    j.device_id = st.int32(19);
    j.device_status = st.fps(20);
    j.next_attempt = st.time(21);
    j.finished = st.optional_time(22);
    j.last_error = st.text(23);
    j.last_t30_cause = static_cast<int>(st.int64(24));
    j.last_failure = st.failure(25);
    j.notify_address = st.text(26);
    j.notify_when = notify_when_from_string(st.text(27)).value_or(NotifyWhen::Never);
    j.failures.busy = st.int32(28);
    j.failures.no_answer = st.int32(29);
    j.failures.no_carrier = st.int32(30);
    j.failures.other = st.int32(31);
    j.priority = st.int32(32);
    j.send_at = st.optional_time(33);
    j.ports = split_lines(st.text(34));
    j.max_retries = st.int32(35);
    return j;
}

const std::string kInsertJob =
    std::string("INSERT INTO jobs (") + kJobColumns +
    ", id, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, "
    "?32, ?33, ?34, ?35, ?36, (SELECT coalesce(max(seq), 0) + 1 FROM jobs))";
// The first free id above ?1 (the last issued) and at most ?2 (the limit): it
// is ?1 + 1 or one above a stored id, whichever is lowest and free.
constexpr const char* kNextFreeJobId =
    "SELECT c FROM (SELECT ?1 + 1 AS c UNION ALL SELECT id + 1 FROM jobs WHERE id > ?1) "
    "WHERE c <= ?2 AND c NOT IN (SELECT id FROM jobs) ORDER BY c LIMIT 1";
const std::string kUpdateJob =
    "UPDATE jobs SET type = ?1, state = ?2, user_name = ?3, fax_number = ?4, document = ?5, "
    "display_name = ?6, size = ?7, page_count = ?8, recipient_name = ?9, tsid = ?10, "
    "sender_name = ?11, sender_company = ?12, sender_dept = ?13, billing_code = ?14, "
    "discount_send = ?15, submitted = ?16, attempts = ?17, pages_sent = ?18, device_id = ?19, "
    "device_status = ?20, next_attempt = ?21, finished = ?22, last_error = ?23, "
    "last_t30_cause = ?24, last_failure = ?25, notify_address = ?26, notify_when = ?27, "
    "failures_busy = ?28, failures_no_answer = ?29, failures_no_carrier = ?30, "
    "failures_other = ?31, priority = ?32, send_at = ?33, ports = ?34, max_retries = ?35 "
    "WHERE id = ?36";
const std::string kSelectJob =
    std::string("SELECT id, ") + kJobColumns + " FROM jobs WHERE id = ?1";
const std::string kSelectJobs =
    std::string("SELECT id, ") + kJobColumns + " FROM jobs ORDER BY seq";

}  // namespace

std::int64_t SqliteStore::add_job(const Job& job) {
    Transaction tx(*this, "adding a job for " + job.fax_number);
    // The id, the job and the last id issued commit together: an id told to a
    // client is stored with its job, and is taken until that job is gone.
    const std::int64_t id = free_job_id();
    {
        auto st = statement(kInsertJob.c_str());
        bind_job(st, job);
        st.bind(36, id);
        st.run();
    }
    {
        auto st = statement("UPDATE job_ids SET last = ?1");
        st.bind(1, id);
        st.run();
    }
    tx.commit();
    return id;
}

std::int64_t SqliteStore::free_job_id() const {
    std::int64_t last = 0;
    {
        auto st = statement("SELECT last FROM job_ids");
        if (st.step()) last = st.int64(0);
    }
    for (const std::int64_t after : {std::min(last, max_job_id_), std::int64_t{0}}) {
        auto st = statement(kNextFreeJobId);
        st.bind(1, after);
        st.bind(2, max_job_id_);
        if (st.step()) return st.int64(0);
    }
    // The client's message names no spool file (PROTOCOL.md: errors speak of jobs).
    throw Refusal(ErrorCode::Io,
                  "no free job id: all " + std::to_string(max_job_id_) + " job ids (1 to " +
                      std::to_string(max_job_id_) +
                      ", kept below 32768 for clients that hold a JobId in a 16-bit Integer) "
                      "belong to jobs in the queue or the history; nothing was queued. Delete "
                      "finished jobs or lower DirtyDays so that they are purged, then submit "
                      "again",
                  reason::kNoFreeJobId);
}

void SqliteStore::write_job(const Job& job) {
    {
        auto st = statement(kUpdateJob.c_str());
        bind_job(st, job);
        st.bind(36, job.id);
        st.run();
    }
    if (sqlite3_changes(db_) == 0)
        throw FaxError(ErrorCode::NotFound, path_.string() + ": " + doing_ + ": no such job");
}

void SqliteStore::update_job(const Job& job) {
    Transaction tx(*this, "updating job " + std::to_string(job.id));
    write_job(job);
    tx.commit();
}

std::optional<Job> SqliteStore::job(std::int64_t id) const {
    Transaction tx(*this, "reading job " + std::to_string(id), false);
    std::optional<Job> out;
    {
        auto st = statement(kSelectJob.c_str());
        st.bind(1, id);
        if (st.step()) out = read_job(st);
    }
    tx.commit();
    return out;
}

std::vector<Job> SqliteStore::jobs() const {
    Transaction tx(*this, "reading the jobs", false);
    std::vector<Job> out;
    {
        auto st = statement(kSelectJobs.c_str());
        while (st.step()) out.push_back(read_job(st));
    }
    tx.commit();
    return out;
}

void SqliteStore::delete_job(std::int64_t id) {
    Transaction tx(*this, "deleting job " + std::to_string(id));
    {
        auto st = statement("DELETE FROM jobs WHERE id = ?1");
        st.bind(1, id);
        st.run();
    }
    tx.commit();
}

int SqliteStore::purge_finished_before(TimePoint cutoff) {
    Transaction tx(*this, "purging finished jobs");
    {
        // Final states only: a restarted job has no finished time, but check the
        // state too so that a stray time can never delete a live job.
        auto st = statement(
            "DELETE FROM jobs WHERE finished IS NOT NULL AND finished < ?1 AND state IN "
            "(?2, ?3, ?4, ?5)");
        st.bind(1, cutoff);
        st.bind(2, to_string(JobState::Completed));
        st.bind(3, to_string(JobState::Failed));
        st.bind(4, to_string(JobState::RetriesExceeded));
        st.bind(5, to_string(JobState::Cancelled));
        st.run();
    }
    const int n = sqlite3_changes(db_);
    tx.commit();
    return n;
}

// --- attempts ---

namespace {

template <typename Stmt>
void bind_attempt(Stmt& st, const Attempt& a) {
    st.bind(1, a.job_id);
    st.bind(2, a.number);
    st.bind(3, a.device_id);
    st.bind(4, a.start);
    st.bind(5, a.end);
    st.bind(6, a.first_page);
    st.bind(7, a.pages_sent);
    st.bind(8, static_cast<std::int64_t>(a.status));
    st.bind(9, to_string(a.failure));
    st.bind(10, static_cast<std::int64_t>(a.t30_cause));
    st.bind(11, a.cause_text);
}

}  // namespace

void SqliteStore::insert_attempt(const Attempt& attempt) {
    auto st = statement(
        "INSERT INTO attempts (job_id, number, device_id, start, end, first_page, pages_sent, "
        "status, failure, t30_cause, cause_text) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    bind_attempt(st, attempt);
    st.run();
}

void SqliteStore::add_attempt(const Attempt& attempt) {
    Transaction tx(*this, "adding attempt " + std::to_string(attempt.number) + " of job " +
                              std::to_string(attempt.job_id));
    insert_attempt(attempt);
    tx.commit();
}

void SqliteStore::start_attempts(const std::vector<std::pair<Job, Attempt>>& starts) {
    Transaction tx(*this, "starting " + std::to_string(starts.size()) + " attempt(s)");
    for (const auto& [job, attempt] : starts) {
        write_job(job);
        insert_attempt(attempt);
    }
    tx.commit();
}

void SqliteStore::write_attempt(const Attempt& attempt) {
    {
        auto st = statement(
            "UPDATE attempts SET device_id = ?3, start = ?4, end = ?5, first_page = ?6, "
            "pages_sent = ?7, status = ?8, failure = ?9, t30_cause = ?10, cause_text = ?11 "
            "WHERE job_id = ?1 AND number = ?2");
        bind_attempt(st, attempt);
        st.run();
    }
    if (sqlite3_changes(db_) == 0)
        throw FaxError(ErrorCode::NotFound, path_.string() + ": " + doing_ + ": no such attempt");
}

void SqliteStore::update_attempt(const Attempt& attempt) {
    Transaction tx(*this, "updating attempt " + std::to_string(attempt.number) + " of job " +
                              std::to_string(attempt.job_id));
    write_attempt(attempt);
    tx.commit();
}

void SqliteStore::update_job_and_attempt(const Job& job, const Attempt& attempt) {
    Transaction tx(*this, "ending attempt " + std::to_string(attempt.number) + " of job " +
                              std::to_string(job.id));
    write_job(job);
    write_attempt(attempt);
    tx.commit();
}

std::vector<Attempt> SqliteStore::attempts(std::int64_t job_id) const {
    Transaction tx(*this, "reading the attempts of job " + std::to_string(job_id), false);
    std::vector<Attempt> out;
    {
        auto st = statement(
            "SELECT job_id, number, device_id, start, end, first_page, pages_sent, status, "
            "failure, t30_cause, cause_text FROM attempts WHERE job_id = ?1 ORDER BY number");
        st.bind(1, job_id);
        while (st.step()) {
            Attempt a;
            a.job_id = st.int64(0);
            a.number = st.int32(1);
            a.device_id = st.int32(2);
            a.start = st.time(3);
            a.end = st.optional_time(4);
            a.first_page = st.int32(5);
            a.pages_sent = st.int32(6);
            a.status = st.fps(7);
            a.failure = st.failure(8);
            a.t30_cause = static_cast<int>(st.int64(9));
            a.cause_text = st.text(10);
            out.push_back(std::move(a));
        }
    }
    tx.commit();
    return out;
}

// --- received faxes ---

namespace {

constexpr const char* kReceivedColumns =
    "device_id, port_name, file, pages, remote_ident, caller_id, csid, start, end, partial, "
    "status, cause_text, bit_rate, resolution, compression";

template <typename Stmt>
void bind_received(Stmt& st, const ReceivedFax& f) {
    st.bind(1, f.device_id);
    st.bind(2, f.port_name);
    st.bind(3, f.file);
    st.bind(4, f.pages);
    st.bind(5, f.remote_ident);
    st.bind(6, f.caller_id);
    st.bind(7, f.csid);
    st.bind(8, f.start);
    st.bind(9, f.end);
    st.bind(10, f.partial);
    st.bind(11, f.status);
    st.bind(12, f.cause_text);
    st.bind(13, f.bit_rate);
    st.bind(14, f.resolution);
    st.bind(15, f.compression);
}

template <typename Stmt>
ReceivedFax read_received(const Stmt& st) {
    ReceivedFax f;
    f.id = st.int64(0);
    f.device_id = st.int32(1);
    f.port_name = st.text(2);
    f.file = st.text(3);
    f.pages = st.int32(4);
    f.remote_ident = st.text(5);
    f.caller_id = st.text(6);
    f.csid = st.text(7);
    f.start = st.time(8);
    f.end = st.optional_time(9);
    f.partial = st.boolean(10);
    f.status = st.text(11);
    f.cause_text = st.text(12);
    f.bit_rate = st.int32(13);
    f.resolution = st.text(14);
    f.compression = st.text(15);
    return f;
}

const std::string kInsertReceived = std::string("INSERT INTO received (") + kReceivedColumns +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                    "?13, ?14, ?15)";
const std::string kSelectReceived =
    std::string("SELECT id, ") + kReceivedColumns + " FROM received WHERE id = ?1";
const std::string kSelectAllReceived =
    std::string("SELECT id, ") + kReceivedColumns + " FROM received ORDER BY id";

}  // namespace

void SqliteStore::write_routing(std::int64_t received_id,
                                const std::vector<RoutingOutcome>& routing) {
    {
        auto st = statement("DELETE FROM routing_outcomes WHERE received_id = ?1");
        st.bind(1, received_id);
        st.run();
    }
    for (std::size_t i = 0; i < routing.size(); ++i) {
        const auto& r = routing[i];
        auto st = statement(
            "INSERT INTO routing_outcomes (received_id, position, guid, routing_data, done, "
            "tries, detail, next_try) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        st.bind(1, received_id);
        st.bind(2, static_cast<std::int64_t>(i));
        st.bind(3, r.guid);
        st.bind(4, r.routing_data);
        st.bind(5, r.done);
        st.bind(6, r.tries);
        st.bind(7, r.detail);
        st.bind(8, r.next_try);
        st.run();
    }
}

std::vector<RoutingOutcome> SqliteStore::read_routing(std::int64_t received_id) const {
    std::vector<RoutingOutcome> out;
    auto st = statement(
        "SELECT guid, routing_data, done, tries, detail, next_try FROM routing_outcomes "
        "WHERE received_id = ?1 ORDER BY position");
    st.bind(1, received_id);
    while (st.step()) {
        RoutingOutcome r;
        r.guid = st.text(0);
        r.routing_data = st.text(1);
        r.done = st.boolean(2);
        r.tries = st.int32(3);
        r.detail = st.text(4);
        r.next_try = st.optional_time(5);
        out.push_back(std::move(r));
    }
    return out;
}

std::int64_t SqliteStore::add_received(const ReceivedFax& fax) {
    Transaction tx(*this, "adding a received fax from port " + fax.port_name);
    {
        auto st = statement(kInsertReceived.c_str());
        bind_received(st, fax);
        st.run();
    }
    const auto id = sqlite3_last_insert_rowid(db_);
    write_routing(id, fax.routing);
    tx.commit();
    return id;
}

void SqliteStore::update_received(const ReceivedFax& fax) {
    Transaction tx(*this, "updating received fax " + std::to_string(fax.id));
    {
        auto st = statement(
            "UPDATE received SET device_id = ?1, port_name = ?2, file = ?3, pages = ?4, "
            "remote_ident = ?5, caller_id = ?6, csid = ?7, start = ?8, end = ?9, partial = ?10, "
            "status = ?11, cause_text = ?12, bit_rate = ?13, resolution = ?14, "
            "compression = ?15 WHERE id = ?16");
        bind_received(st, fax);
        st.bind(16, fax.id);
        st.run();
    }
    if (sqlite3_changes(db_) == 0)
        throw FaxError(ErrorCode::NotFound,
                       path_.string() + ": " + doing_ + ": no such received fax");
    write_routing(fax.id, fax.routing);
    tx.commit();
}

void SqliteStore::delete_received(std::int64_t id) {
    Transaction tx(*this, "deleting received fax " + std::to_string(id));
    for (const char* sql : {"DELETE FROM routing_outcomes WHERE received_id = ?1",
                            "DELETE FROM received WHERE id = ?1"}) {
        auto st = statement(sql);
        st.bind(1, id);
        st.run();
    }
    tx.commit();
}

std::optional<ReceivedFax> SqliteStore::received(std::int64_t id) const {
    Transaction tx(*this, "reading received fax " + std::to_string(id), false);
    std::optional<ReceivedFax> out;
    {
        auto st = statement(kSelectReceived.c_str());
        st.bind(1, id);
        if (st.step()) out = read_received(st);
    }
    if (out) out->routing = read_routing(id);
    tx.commit();
    return out;
}

std::vector<ReceivedFax> SqliteStore::received_faxes() const {
    Transaction tx(*this, "reading the received faxes", false);
    std::vector<ReceivedFax> out;
    {
        auto st = statement(kSelectAllReceived.c_str());
        while (st.step()) out.push_back(read_received(st));
    }
    for (auto& fax : out) fax.routing = read_routing(fax.id);
    tx.commit();
    return out;
}

// --- settings ---

void SqliteStore::save_port_settings(const PortSettings& s) {
    Transaction tx(*this, "saving the settings of port " + s.name);
    {
        // An upsert, not INSERT OR REPLACE: a replace deletes the row first, and
        // the cascade would take the routing settings with it mid-transaction.
        auto st = statement(
            "INSERT INTO port_settings (name, rings, csid, tsid, send, receive, priority) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO UPDATE SET "
            "rings = excluded.rings, csid = excluded.csid, tsid = excluded.tsid, "
            "send = excluded.send, receive = excluded.receive, priority = excluded.priority");
        st.bind(1, s.name);
        st.bind(2, s.rings);
        st.bind(3, s.csid);
        st.bind(4, s.tsid);
        st.bind(5, s.send);
        st.bind(6, s.receive);
        st.bind(7, s.priority);
        st.run();
    }
    {
        auto st = statement("DELETE FROM routing_settings WHERE port_name = ?1");
        st.bind(1, s.name);
        st.run();
    }
    for (std::size_t i = 0; i < s.routing.size(); ++i) {
        const auto& r = s.routing[i];
        auto st = statement(
            "INSERT INTO routing_settings (port_name, guid, position, enabled, data) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
        st.bind(1, s.name);
        st.bind(2, r.guid);
        st.bind(3, static_cast<std::int64_t>(i));
        st.bind(4, r.enabled);
        st.bind(5, r.data);
        st.run();
    }
    tx.commit();
}

std::vector<PortSettings> SqliteStore::port_settings() const {
    Transaction tx(*this, "reading the port settings", false);
    std::vector<PortSettings> out;
    {
        auto st = statement(
            "SELECT name, rings, csid, tsid, send, receive, priority FROM port_settings "
            "ORDER BY name");
        while (st.step()) {
            PortSettings s;
            s.name = st.text(0);
            s.rings = st.int32(1);
            s.csid = st.text(2);
            s.tsid = st.text(3);
            s.send = st.boolean(4);
            s.receive = st.boolean(5);
            s.priority = st.int32(6);
            out.push_back(std::move(s));
        }
    }
    for (auto& s : out) {
        auto st = statement(
            "SELECT guid, enabled, data FROM routing_settings WHERE port_name = ?1 "
            "ORDER BY position");
        st.bind(1, s.name);
        while (st.step()) s.routing.push_back({st.text(0), st.boolean(1), st.text(2)});
    }
    tx.commit();
    return out;
}

void SqliteStore::save_server_settings(const ServerSettings& s) {
    Transaction tx(*this, "saving the server settings");
    {
        auto st = statement(
            "INSERT OR REPLACE INTO server_settings (id, retries, retry_delay, dirty_days, "
            "branding, use_device_tsid, server_coverpage, pause_server_queue, "
            "archive_outbound_faxes, archive_directory, server_mapi_profile, "
            "discount_start_hour, discount_start_minute, discount_end_hour, discount_end_minute) "
            "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        st.bind(1, s.retries);
        st.bind(2, s.retry_delay);
        st.bind(3, s.dirty_days);
        st.bind(4, s.branding);
        st.bind(5, s.use_device_tsid);
        st.bind(6, s.server_coverpage);
        st.bind(7, s.pause_server_queue);
        st.bind(8, s.archive_outbound_faxes);
        st.bind(9, s.archive_directory);
        st.bind(10, s.server_mapi_profile);
        st.bind(11, static_cast<std::int32_t>(s.discount_rate_start_hour));
        st.bind(12, static_cast<std::int32_t>(s.discount_rate_start_minute));
        st.bind(13, static_cast<std::int32_t>(s.discount_rate_end_hour));
        st.bind(14, static_cast<std::int32_t>(s.discount_rate_end_minute));
        st.run();
    }
    tx.commit();
}

std::optional<ServerSettings> SqliteStore::server_settings() const {
    Transaction tx(*this, "reading the server settings", false);
    std::optional<ServerSettings> out;
    {
        auto st = statement(
            "SELECT retries, retry_delay, dirty_days, branding, use_device_tsid, "
            "server_coverpage, pause_server_queue, archive_outbound_faxes, archive_directory, "
            "server_mapi_profile, discount_start_hour, discount_start_minute, "
            "discount_end_hour, discount_end_minute FROM server_settings WHERE id = 1");
        if (st.step()) {
            ServerSettings s;
            s.retries = st.int32(0);
            s.retry_delay = st.int32(1);
            s.dirty_days = st.int32(2);
            s.branding = st.boolean(3);
            s.use_device_tsid = st.boolean(4);
            s.server_coverpage = st.boolean(5);
            s.pause_server_queue = st.boolean(6);
            s.archive_outbound_faxes = st.boolean(7);
            s.archive_directory = st.text(8);
            s.server_mapi_profile = st.text(9);
            s.discount_rate_start_hour = static_cast<short>(st.int32(10));
            s.discount_rate_start_minute = static_cast<short>(st.int32(11));
            s.discount_rate_end_hour = static_cast<short>(st.int32(12));
            s.discount_rate_end_minute = static_cast<short>(st.int32(13));
            out = s;
        }
    }
    tx.commit();
    return out;
}

std::string SqliteStore::write_problem() const {
    std::lock_guard lock(mutex_);
    sqlite3_busy_timeout(db_, 0);
    std::string problem;
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK)
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    else
        problem = sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    return problem;
}

}  // namespace faxemu
