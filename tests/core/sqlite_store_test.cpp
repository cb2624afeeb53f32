#include "core/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/refusal.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::code_of;

const TimePoint kT0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + 9h};

// Every field differs from its default, so a field the store drops shows.
Job full_job() {
    Job j;
    j.type = JobType::Send;
    j.state = JobState::Retrying;
    j.user_name = "alice";
    j.fax_number = "+1 (555) 010-4477";
    j.document = "/var/spool/faxemu/docs/7.tif";
    j.display_name = "Quarterly report";
    j.size = 123'456'789'012;
    j.page_count = 7;
    j.recipient_name = "Bob Jones";
    j.tsid = "+1 555 010 0000";
    j.sender_name = "Alice Smith";
    j.sender_company = "Acme";
    j.sender_dept = "Finance";
    j.billing_code = "B-42";
    j.discount_send = true;
    j.submitted = kT0 + 1us;
    j.attempts = 2;
    j.pages_sent = 3;
    j.device_id = 4;
    j.device_status = Fps::Busy;
    j.next_attempt = kT0 + 10min + 7us;
    j.finished = kT0 + 1h;
    j.last_error = "busy: the line was busy";
    j.last_t30_cause = 17;
    j.last_failure = FailureClass::Busy;
    j.notify_address = "alice@example.com";
    j.notify_when = NotifyWhen::Fail;
    j.failures = {3, 1, 0, 2};
    j.priority = 77;
    j.send_at = kT0 + 2h + 5us;
    j.ports = {"modem1", "fast lines"};
    j.max_retries = 9;
    return j;
}

void expect_same(const Job& a, const Job& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.user_name, b.user_name);
    EXPECT_EQ(a.fax_number, b.fax_number);
    EXPECT_EQ(a.document, b.document);
    EXPECT_EQ(a.display_name, b.display_name);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.page_count, b.page_count);
    EXPECT_EQ(a.recipient_name, b.recipient_name);
    EXPECT_EQ(a.tsid, b.tsid);
    EXPECT_EQ(a.sender_name, b.sender_name);
    EXPECT_EQ(a.sender_company, b.sender_company);
    EXPECT_EQ(a.sender_dept, b.sender_dept);
    EXPECT_EQ(a.billing_code, b.billing_code);
    EXPECT_EQ(a.discount_send, b.discount_send);
    EXPECT_EQ(a.submitted, b.submitted);
    EXPECT_EQ(a.attempts, b.attempts);
    EXPECT_EQ(a.pages_sent, b.pages_sent);
    EXPECT_EQ(a.device_id, b.device_id);
    EXPECT_EQ(a.device_status, b.device_status);
    EXPECT_EQ(a.next_attempt, b.next_attempt);
    EXPECT_EQ(a.finished, b.finished);
    EXPECT_EQ(a.last_error, b.last_error);
    EXPECT_EQ(a.last_t30_cause, b.last_t30_cause);
    EXPECT_EQ(a.last_failure, b.last_failure);
    EXPECT_EQ(a.notify_address, b.notify_address);
    EXPECT_EQ(a.notify_when, b.notify_when);
    EXPECT_EQ(a.failures, b.failures);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.send_at, b.send_at);
    EXPECT_EQ(a.ports, b.ports);
    EXPECT_EQ(a.max_retries, b.max_retries);
}

Attempt full_attempt(std::int64_t job_id, std::int32_t number) {
    Attempt a;
    a.job_id = job_id;
    a.number = number;
    a.device_id = 3;
    a.start = kT0 + 5s;
    a.end = kT0 + 95s + 3us;
    a.first_page = 2;
    a.pages_sent = 4;
    a.status = Fps::Disconnected;
    a.failure = FailureClass::LineDropped;
    a.t30_cause = 49;
    a.cause_text = "the call dropped";
    return a;
}

void expect_same(const Attempt& a, const Attempt& b) {
    EXPECT_EQ(a.job_id, b.job_id);
    EXPECT_EQ(a.number, b.number);
    EXPECT_EQ(a.device_id, b.device_id);
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.end, b.end);
    EXPECT_EQ(a.first_page, b.first_page);
    EXPECT_EQ(a.pages_sent, b.pages_sent);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.failure, b.failure);
    EXPECT_EQ(a.t30_cause, b.t30_cause);
    EXPECT_EQ(a.cause_text, b.cause_text);
}

ReceivedFax full_received() {
    ReceivedFax f;
    f.device_id = 2;
    f.port_name = "modem2";
    f.file = "/var/spool/faxemu/in/9.tif";
    f.pages = 5;
    f.remote_ident = "+44 20 7946 0000";
    f.caller_id = "442079460000";
    f.csid = "ACME FAX";
    f.start = kT0 + 1s;
    f.end = kT0 + 2min;
    f.partial = true;
    f.status = "partial";
    f.cause_text = "call dropped after page 5";
    f.bit_rate = 14400;
    f.resolution = "fine";
    f.compression = "MMR";
    f.routing = {
        {"{92041A90-9AF2-11D0-ABF7-00C04FD91A4E}", "/srv/fax/in", true, 1, "stored as /srv/x.tif",
         std::nullopt},
        {"{6BBF7BFE-9AF2-11D0-ABF7-00C04FD91A4E}", "fax@example.com", false, 3,
         "smtp: connection refused", kT0 + 10min},
    };
    return f;
}

void expect_same(const ReceivedFax& a, const ReceivedFax& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.device_id, b.device_id);
    EXPECT_EQ(a.port_name, b.port_name);
    EXPECT_EQ(a.file, b.file);
    EXPECT_EQ(a.pages, b.pages);
    EXPECT_EQ(a.remote_ident, b.remote_ident);
    EXPECT_EQ(a.caller_id, b.caller_id);
    EXPECT_EQ(a.csid, b.csid);
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.end, b.end);
    EXPECT_EQ(a.partial, b.partial);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.cause_text, b.cause_text);
    EXPECT_EQ(a.bit_rate, b.bit_rate);
    EXPECT_EQ(a.resolution, b.resolution);
    EXPECT_EQ(a.compression, b.compression);
    ASSERT_EQ(a.routing.size(), b.routing.size());
    for (std::size_t i = 0; i < a.routing.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(a.routing[i].guid, b.routing[i].guid);
        EXPECT_EQ(a.routing[i].routing_data, b.routing[i].routing_data);
        EXPECT_EQ(a.routing[i].done, b.routing[i].done);
        EXPECT_EQ(a.routing[i].tries, b.routing[i].tries);
        EXPECT_EQ(a.routing[i].detail, b.routing[i].detail);
        EXPECT_EQ(a.routing[i].next_try, b.routing[i].next_try);
    }
}

PortSettings full_port(std::string name) {
    PortSettings p;
    p.name = std::move(name);
    p.rings = 5;
    p.csid = "ACME RECEIVE";
    p.tsid = "ACME SEND";
    p.send = false;
    p.receive = true;
    p.priority = 3;
    // Not in GUID order, so that a store sorting by GUID would show.
    p.routing = {{"{Z-PRINT}", true, "LaserJet"}, {"{A-FOLDER}", false, "/srv/in"}};
    return p;
}

void expect_same(const PortSettings& a, const PortSettings& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.rings, b.rings);
    EXPECT_EQ(a.csid, b.csid);
    EXPECT_EQ(a.tsid, b.tsid);
    EXPECT_EQ(a.send, b.send);
    EXPECT_EQ(a.receive, b.receive);
    EXPECT_EQ(a.priority, b.priority);
    ASSERT_EQ(a.routing.size(), b.routing.size());
    for (std::size_t i = 0; i < a.routing.size(); ++i) {
        EXPECT_EQ(a.routing[i].guid, b.routing[i].guid);
        EXPECT_EQ(a.routing[i].enabled, b.routing[i].enabled);
        EXPECT_EQ(a.routing[i].data, b.routing[i].data);
    }
}

ServerSettings full_server() {
    ServerSettings s;
    s.retries = 7;
    s.retry_delay = 25;
    s.dirty_days = 9;
    s.branding = false;
    s.use_device_tsid = false;
    s.server_coverpage = true;
    s.pause_server_queue = true;
    s.archive_outbound_faxes = true;
    s.archive_directory = "/srv/archive";
    s.server_mapi_profile = "Fax Profile";
    s.discount_rate_start_hour = 21;
    s.discount_rate_start_minute = 15;
    s.discount_rate_end_hour = 6;
    s.discount_rate_end_minute = 45;
    return s;
}

// Runs one query on its own connection (as another process would) and
// returns the first column of the first row.
std::string query(const std::filesystem::path& db, const char* sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    std::string out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return out;
}

class SqliteStoreTest : public ::testing::Test {
  protected:
    test::TempDir dir;
    std::filesystem::path db = dir.path() / "faxemu.db";

    // Makes a new database look as schema 3 made it.
    void drop_schema_4() {
        query(db, "DROP TABLE job_ids");
        query(db, "DROP INDEX jobs_by_seq");
        query(db, "ALTER TABLE jobs DROP COLUMN seq");
    }
    // Makes a new database look as schema 2 made it.
    void drop_schema_3_columns() {
        drop_schema_4();
        for (const char* column : {"failures_busy", "failures_no_answer", "failures_no_carrier",
                                   "failures_other", "priority", "send_at", "ports", "max_retries"})
            query(db, ("ALTER TABLE jobs DROP COLUMN " + std::string(column)).c_str());
    }
};

TEST_F(SqliteStoreTest, JobRoundTripsEveryField) {
    SqliteStore store(db);
    auto j = full_job();
    j.id = 999;  // ignored: the store assigns ids
    j.id = store.add_job(j);
    EXPECT_EQ(j.id, 1);
    auto back = store.job(j.id);
    ASSERT_TRUE(back.has_value());
    expect_same(*back, j);

    // A job that has not finished keeps "no finished time", not time zero.
    auto k = j;
    k.state = JobState::InProgress;
    k.finished.reset();
    k.last_failure = FailureClass::Incompatible;
    k.device_status = Fps::Sending;
    k.last_t30_cause = -1;
    store.update_job(k);
    expect_same(*store.job(j.id), k);
    EXPECT_FALSE(store.job(j.id + 1).has_value());
}

TEST_F(SqliteStoreTest, JobsComeBackInIdOrder) {
    SqliteStore store(db);
    for (int i = 0; i < 3; ++i) {
        auto j = full_job();
        j.fax_number = std::to_string(100 + i);
        store.add_job(j);
    }
    const auto all = store.jobs();
    ASSERT_EQ(all.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(all[static_cast<std::size_t>(i)].id, i + 1);
        EXPECT_EQ(all[static_cast<std::size_t>(i)].fax_number, std::to_string(100 + i));
    }
}

TEST_F(SqliteStoreTest, UpdatingAMissingRecordIsNotFound) {
    SqliteStore store(db);
    auto j = full_job();
    j.id = 5;
    EXPECT_EQ(code_of([&] { store.update_job(j); }), ErrorCode::NotFound);
    EXPECT_EQ(code_of([&] { store.update_attempt(full_attempt(5, 1)); }), ErrorCode::NotFound);
    auto f = full_received();
    f.id = 5;
    EXPECT_EQ(code_of([&] { store.update_received(f); }), ErrorCode::NotFound);
    EXPECT_TRUE(store.jobs().empty());
    EXPECT_TRUE(store.received_faxes().empty());
}

TEST_F(SqliteStoreTest, AttemptRoundTripsEveryField) {
    SqliteStore store(db);
    const auto id = store.add_job(full_job());
    auto open = full_attempt(id, 1);
    open.end.reset();  // interrupted: no end
    auto closed = full_attempt(id, 2);
    store.add_attempt(closed);  // out of order: the store sorts by number
    store.add_attempt(open);
    auto all = store.attempts(id);
    ASSERT_EQ(all.size(), 2u);
    expect_same(all[0], open);
    expect_same(all[1], closed);

    open.end = kT0 + 1h;
    open.pages_sent = 1;
    open.failure = FailureClass::Protocol;
    store.update_attempt(open);
    expect_same(store.attempts(id)[0], open);
    EXPECT_TRUE(store.attempts(id + 1).empty());
}

TEST_F(SqliteStoreTest, AttemptKeysAreEnforced) {
    SqliteStore store(db);
    const auto id = store.add_job(full_job());
    store.add_attempt(full_attempt(id, 1));
    EXPECT_EQ(code_of([&] { store.add_attempt(full_attempt(id, 1)); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(code_of([&] { store.add_attempt(full_attempt(id + 1, 1)); }), ErrorCode::NotFound);
    EXPECT_EQ(store.attempts(id).size(), 1u);
}

TEST_F(SqliteStoreTest, DeletingAJobDeletesItsAttempts) {
    SqliteStore store(db);
    const auto a = store.add_job(full_job());
    const auto b = store.add_job(full_job());
    store.add_attempt(full_attempt(a, 1));
    store.add_attempt(full_attempt(b, 1));
    store.delete_job(a);
    EXPECT_FALSE(store.job(a).has_value());
    EXPECT_TRUE(store.attempts(a).empty());
    EXPECT_EQ(store.attempts(b).size(), 1u);
    EXPECT_NO_THROW(store.delete_job(a));  // already gone: nothing to do
}

TEST_F(SqliteStoreTest, ReceivedFaxRoundTripsWithRouting) {
    SqliteStore store(db);
    auto f = full_received();
    f.id = store.add_received(f);
    auto back = store.received(f.id);
    ASSERT_TRUE(back.has_value());
    expect_same(*back, f);

    // An update replaces the routing outcomes as a whole.
    f.end.reset();
    f.partial = false;
    f.routing[1].done = true;
    f.routing[1].next_try.reset();
    f.routing.push_back({"{P-PROGRAM}", "/usr/bin/ocr", false, 0, "", kT0 + 1h});
    store.update_received(f);
    expect_same(*store.received(f.id), f);
    f.routing.clear();
    store.update_received(f);
    expect_same(*store.received(f.id), f);

    auto g = full_received();
    g.port_name = "modem3";
    g.id = store.add_received(g);
    const auto all = store.received_faxes();
    ASSERT_EQ(all.size(), 2u);
    expect_same(all[0], f);
    expect_same(all[1], g);
    EXPECT_FALSE(store.received(g.id + 1).has_value());
}

TEST_F(SqliteStoreTest, PortSettingsRoundTripAndReplace) {
    SqliteStore store(db);
    EXPECT_TRUE(store.port_settings().empty());
    auto b = full_port("modem-b");
    auto a = full_port("modem-a");
    a.routing.clear();
    a.send = true;
    store.save_port_settings(b);
    store.save_port_settings(a);
    auto all = store.port_settings();
    ASSERT_EQ(all.size(), 2u);
    expect_same(all[0], a);  // by name
    expect_same(all[1], b);

    // Saving again replaces the port's settings and its routing list.
    b.rings = 9;
    b.routing = {{"{A-FOLDER}", true, "/srv/other"}};
    store.save_port_settings(b);
    all = store.port_settings();
    ASSERT_EQ(all.size(), 2u);
    expect_same(all[1], b);
}

TEST_F(SqliteStoreTest, ServerSettingsRoundTrip) {
    SqliteStore store(db);
    EXPECT_FALSE(store.server_settings().has_value());
    store.save_server_settings(full_server());
    EXPECT_EQ(store.server_settings(), full_server());
    store.save_server_settings(ServerSettings{});
    EXPECT_EQ(store.server_settings(), ServerSettings{});
}

TEST_F(SqliteStoreTest, ReopenFindsEverything) {
    std::int64_t job_id = 0;
    std::int64_t fax_id = 0;
    {
        SqliteStore store(db);
        job_id = store.add_job(full_job());
        store.add_attempt(full_attempt(job_id, 1));
        fax_id = store.add_received(full_received());
        store.save_port_settings(full_port("modem1"));
        store.save_server_settings(full_server());
    }
    SqliteStore store(db);
    auto j = full_job();
    j.id = job_id;
    expect_same(*store.job(job_id), j);
    ASSERT_EQ(store.attempts(job_id).size(), 1u);
    expect_same(store.attempts(job_id)[0], full_attempt(job_id, 1));
    auto f = full_received();
    f.id = fax_id;
    expect_same(*store.received(fax_id), f);
    ASSERT_EQ(store.port_settings().size(), 1u);
    expect_same(store.port_settings()[0], full_port("modem1"));
    EXPECT_EQ(store.server_settings(), full_server());
}

TEST_F(SqliteStoreTest, DatabaseIsWalWithSchemaVersion) {
    { SqliteStore store(db); }
    EXPECT_EQ(query(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query(db, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
}

// A spool of schema 1 (before job notices) opens with its jobs asking for none.
TEST_F(SqliteStoreTest, ASchema1SpoolIsMigratedKeepingItsJobs) {
    {
        SqliteStore store(db);
        store.add_job(full_job());
    }
    drop_schema_3_columns();
    query(db, "ALTER TABLE jobs DROP COLUMN notify_address");
    query(db, "ALTER TABLE jobs DROP COLUMN notify_when");
    query(db, "PRAGMA user_version = 1");
    SqliteStore store(db);
    EXPECT_EQ(query(db, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
    const auto job = store.job(1);
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(job->display_name, "Quarterly report");
    EXPECT_EQ(job->notify_address, "");
    EXPECT_EQ(job->notify_when, NotifyWhen::Never);
}

// A spool of schema 2 (before retries per failure class) opens with each job's
// failures counted from its recorded attempts, and the defaults for the rest.
TEST_F(SqliteStoreTest, ASchema2SpoolIsMigratedCountingFailuresFromItsAttempts) {
    std::int64_t id = 0;
    {
        SqliteStore store(db);
        id = store.add_job(full_job());
        const FailureClass history[] = {FailureClass::Busy,        FailureClass::Busy,
                                        FailureClass::NoCarrier,   FailureClass::Protocol,
                                        FailureClass::LineDropped, FailureClass::NoAnswer};
        std::int32_t n = 0;
        for (FailureClass f : history) {
            auto a = full_attempt(id, ++n);
            a.failure = f;
            store.add_attempt(a);
        }
        auto open = full_attempt(id, ++n);  // interrupted: not counted
        open.failure = FailureClass::LineDropped;
        open.end.reset();
        store.add_attempt(open);
    }
    drop_schema_3_columns();
    query(db, "PRAGMA user_version = 2");
    SqliteStore store(db);
    EXPECT_EQ(query(db, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
    const auto job = store.job(id);
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(job->display_name, "Quarterly report");
    EXPECT_EQ(job->failures, (FailureCounts{2, 1, 1, 2}));
    EXPECT_EQ(job->priority, kDefaultJobPriority);
    EXPECT_FALSE(job->send_at.has_value());
    EXPECT_TRUE(job->ports.empty());
    EXPECT_EQ(job->max_retries, -1);
}

// Issue 15: legacy scripts keep JobId in a VBScript Integer (CInt), so ids
// stay in 1..32767: an id comes back only when its job has left both queue and
// history, and as late as possible (after every higher one).
TEST_F(SqliteStoreTest, JobIdsStayBelow32768AndComeBackOnlyWhenPurged) {
    EXPECT_EQ(SqliteStore::kMaxJobId, 32767);
    SqliteStore store(db, 4);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(store.add_job(full_job()));
    EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 4}));
    // A job in the history (finished, not purged) keeps its id.
    auto done = *store.job(2);
    done.state = JobState::Completed;
    done.finished = kT0;
    store.update_job(done);
    store.delete_job(3);
    EXPECT_EQ(store.add_job(full_job()), 3);  // the only free one
    store.delete_job(1);
    store.delete_job(4);
    // After 3 comes 4 (not 1, free for longer, but lower): the next above the last.
    EXPECT_EQ(store.add_job(full_job()), 4);
    EXPECT_EQ(store.add_job(full_job()), 1);  // wrapped round
    EXPECT_EQ(store.purge_finished_before(kT0 + 1s), 1);
    EXPECT_EQ(store.add_job(full_job()), 2);
    // The store lists in submit order, not by id.
    std::vector<std::int64_t> order;
    for (const Job& j : store.jobs()) order.push_back(j.id);
    EXPECT_EQ(order, (std::vector<std::int64_t>{3, 4, 1, 2}));
}

// None free: the submit is refused, naming the cause and the remedy, and
// nothing of it is stored.
TEST_F(SqliteStoreTest, NoFreeJobIdRefusesTheJobAndStoresNothing) {
    SqliteStore store(db, 2);
    store.add_job(full_job());
    store.add_job(full_job());
    try {
        store.add_job(full_job());
        FAIL() << "a third job was given an id";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        const std::string what = e.what();
        EXPECT_NE(what.find("no free job id"), std::string::npos) << what;
        EXPECT_NE(what.find("1 to 2"), std::string::npos) << what;
        EXPECT_NE(what.find("DirtyDays"), std::string::npos) << what;
        // A Refusal: told apart from other Io errors
        const auto* refusal = dynamic_cast<const Refusal*>(&e);
        ASSERT_NE(refusal, nullptr);
        EXPECT_STREQ(refusal->reason(), reason::kNoFreeJobId);
    }
    EXPECT_EQ(store.jobs().size(), 2u);
    store.delete_job(2);
    EXPECT_EQ(store.add_job(full_job()), 2);
}

// An id acknowledged to a client is committed with its job: a faxd killed
// right after (no destructor, no clean close) and started again never hands
// it to another job, and carries on after the last id it issued.
TEST_F(SqliteStoreTest, AnAcknowledgedJobIdIsNeverReissuedAfterACrash) {
    {
        SqliteStore store(db, 5);
        store.add_job(full_job());
    }
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(pipe_fds[0]);
        auto* store = new SqliteStore(db, 5);  // never closed: the process dies
        store->delete_job(1);
        std::int64_t id = store->add_job(full_job());
        [[maybe_unused]] auto n = write(pipe_fds[1], &id, sizeof id);
        std::_Exit(0);
    }
    close(pipe_fds[1]);
    std::int64_t acknowledged = 0;
    ASSERT_EQ(read(pipe_fds[0], &acknowledged, sizeof acknowledged),
              static_cast<ssize_t>(sizeof acknowledged));
    close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(acknowledged, 2);
    SqliteStore store(db, 5);
    ASSERT_TRUE(store.job(acknowledged).has_value());
    std::set<std::int64_t> issued;
    for (int i = 0; i < 4; ++i) issued.insert(store.add_job(full_job()));
    EXPECT_EQ(issued, (std::set<std::int64_t>{1, 3, 4, 5}));
    EXPECT_EQ(code_of([&] { store.add_job(full_job()); }), ErrorCode::Io);
}

// A spool of schema 3 may hold ids above 32767 (AUTOINCREMENT had no limit):
// those jobs keep their ids and work as before; new jobs get ids in range,
// after the last one issued below the limit.
TEST_F(SqliteStoreTest, ASchema3SpoolWithIdsAbove32767KeepsThem) {
    {
        SqliteStore store(db);
        store.add_job(full_job());
    }
    drop_schema_4();
    query(db, "UPDATE jobs SET id = 40000");
    query(db, "UPDATE sqlite_sequence SET seq = 40000 WHERE name = 'jobs'");
    query(db, "PRAGMA user_version = 3");
    SqliteStore store(db, 3);
    EXPECT_EQ(query(db, "PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
    auto old = store.job(40000);
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->display_name, "Quarterly report");
    old->state = JobState::Paused;
    store.update_job(*old);
    EXPECT_EQ(store.add_job(full_job()), 1);
    EXPECT_EQ(store.add_job(full_job()), 2);
    std::vector<std::int64_t> order;
    for (const Job& j : store.jobs()) order.push_back(j.id);
    EXPECT_EQ(order, (std::vector<std::int64_t>{40000, 1, 2}));
    store.delete_job(40000);
    EXPECT_EQ(store.add_job(full_job()), 3);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
    { SqliteStore store(db); }
    query(db, "PRAGMA user_version = 99");
    try {
        SqliteStore store(db);
        FAIL() << "opened a database of a newer schema";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find(db.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
    }
}

TEST_F(SqliteStoreTest, PurgeDeletesOnlyFinalJobsFinishedBeforeTheCutoff) {
    SqliteStore store(db);
    auto old_done = full_job();
    old_done.state = JobState::Completed;
    old_done.finished = kT0;
    auto old_failed = full_job();
    old_failed.state = JobState::RetriesExceeded;
    old_failed.finished = kT0 + 1s;
    auto recent = full_job();
    recent.state = JobState::Cancelled;
    recent.finished = kT0 + 1h;
    auto waiting = full_job();  // not final, whatever its times say
    waiting.state = JobState::Retrying;
    waiting.finished = kT0;
    const auto a = store.add_job(old_done);
    const auto b = store.add_job(old_failed);
    const auto c = store.add_job(recent);
    const auto d = store.add_job(waiting);
    store.add_attempt(full_attempt(a, 1));

    EXPECT_EQ(store.purge_finished_before(kT0 + 1s), 1);  // strictly before
    EXPECT_FALSE(store.job(a).has_value());
    EXPECT_TRUE(store.attempts(a).empty());
    EXPECT_EQ(store.purge_finished_before(kT0 + 2s), 1);
    EXPECT_FALSE(store.job(b).has_value());
    EXPECT_EQ(store.purge_finished_before(kT0 + 1h), 0);
    EXPECT_TRUE(store.job(c).has_value());
    EXPECT_TRUE(store.job(d).has_value());
}

TEST_F(SqliteStoreTest, IdsAreNeverReusedEvenAfterPurgeAndReopen) {
    std::int64_t last = 0;
    {
        SqliteStore store(db);
        auto j = full_job();
        j.state = JobState::Completed;
        j.finished = kT0;
        for (int i = 0; i < 3; ++i) last = store.add_job(j);
        store.add_received(full_received());
        EXPECT_EQ(store.purge_finished_before(kT0 + 1s), 3);
        EXPECT_TRUE(store.jobs().empty());
        EXPECT_EQ(store.add_job(j), last + 1);
        store.delete_job(last + 1);
        last += 1;
    }
    SqliteStore store(db);
    EXPECT_TRUE(store.jobs().empty());
    EXPECT_EQ(store.add_job(full_job()), last + 1);
    EXPECT_EQ(store.add_received(full_received()), 2);
}

void expect_io_error_naming(const std::filesystem::path& path) {
    try {
        SqliteStore store(path);
        FAIL() << "opened " << path;
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": ", 0), 0u) << e.what();
    }
}

TEST_F(SqliteStoreTest, CorruptFileIsAnIoErrorNamingTheFile) {
    {
        std::ofstream out(db, std::ios::binary);
        for (int i = 0; i < 200; ++i) out << "this is not an SQLite database, just text. ";
    }
    expect_io_error_naming(db);
    try {
        SqliteStore store(db);
    } catch (const FaxError& e) {
        EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
    }
}

TEST_F(SqliteStoreTest, UnopenablePathIsAnIoErrorNamingTheFile) {
    expect_io_error_naming(dir.path() / "no-such-folder" / "faxemu.db");
    expect_io_error_naming(dir.path());  // a folder, not a file
}

TEST_F(SqliteStoreTest, ConcurrentCallersGetDistinctIds) {
    SqliteStore store(db);
    constexpr int kThreads = 3;
    constexpr int kEach = 8;
    std::vector<std::vector<std::int64_t>> ids(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const auto id = store.add_job(full_job());
                store.add_attempt(full_attempt(id, 1));
                (void)store.jobs();
                ids[static_cast<std::size_t>(t)].push_back(id);
            }
        });
    }
    for (auto& th : threads) th.join();
    std::set<std::int64_t> unique;
    for (const auto& v : ids) unique.insert(v.begin(), v.end());
    EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kEach));
    EXPECT_EQ(store.jobs().size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace faxemu
