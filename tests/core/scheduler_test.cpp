#include "core/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/refusal.hpp"
#include "core/sqlite_store.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::code_of;

// Noon UTC on a weekday: outside the default 20:00-07:00 discount window.
const TimePoint kNoon{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} + 12h};

// Local time = UTC plus `offset`, so tests do not depend on the machine's zone.
Scheduler::LocalTimeOf zone(std::chrono::seconds offset) {
    return [offset](TimePoint t) {
        const auto local = t + offset;
        return Scheduler::LocalTime{std::chrono::floor<std::chrono::seconds>(
            local - std::chrono::floor<std::chrono::days>(local))};
    };
}

CallOutcome failure(FailureClass f, int pages_done = 0) {
    CallOutcome o;
    o.failure = f;
    o.status = f == FailureClass::Busy ? Fps::Busy : Fps::FatalError;
    o.cause_text = std::string("failed: ") + to_string(f);
    o.t30_cause = 20;
    o.pages_done = pages_done;
    return o;
}

CallOutcome success(int pages_done) {
    CallOutcome o;
    o.status = Fps::Completed;
    o.failure = FailureClass::None;
    o.t30_cause = 0;
    o.cause_text = "OK";
    o.pages_done = pages_done;
    return o;
}

class SchedulerTest : public ::testing::Test {
  protected:
    SchedulerTest() {
        // Three ports; DeviceIds 1, 2, 3 with priorities 1, 2, 3.
        server.add_port("modem1", "100");
        server.add_port("modem2", "200");
        server.add_port("modem3", "300");
        auto s = server.settings();
        s.retries = 2;
        s.retry_delay = 15;
        s.dirty_days = 3;
        server.set_settings(admin, s);
        reopen();
    }

    // A new store and scheduler over the same database file: what faxd sees
    // when it starts again after a crash.
    void reopen() {
        scheduler.reset();
        store.reset();
        store = std::make_unique<SqliteStore>(dir.path() / "queue.db");
        scheduler = std::make_unique<Scheduler>(server, *store, clock, zone(0s));
        // Retries land exactly RetryDelay later; the jitter has its own tests.
        scheduler->set_jitter([] { return 0.0; });
        // Every class follows faxcom's Retries and RetryDelay here; the
        // per-class rules have their own tests (scheduler_retry_test.cpp).
        scheduler->set_retry_policy(RetryPolicy::faxcom_only());
        scheduler->on_abort(
            [this](std::int64_t job, std::int32_t device) { aborted.emplace_back(job, device); });
        scheduler->on_job_changed([this](const Job& j) { changes.push_back(j); });
    }

    void set(const std::function<void(ServerSettings&)>& edit) {
        auto s = server.settings();
        edit(s);
        server.set_settings(admin, s);
    }

    Job make_job(std::string user = "alice", std::int32_t pages = 3) {
        Job j;
        j.user_name = std::move(user);
        j.fax_number = "+1 (555) 010-4477";
        j.document = "/spool/doc.tif";
        j.display_name = "report";
        j.page_count = pages;
        j.tsid = "ACME";
        return j;
    }

    std::int64_t submit(std::string user = "alice", std::int32_t pages = 3) {
        return scheduler->submit(make_job(std::move(user), pages)).id;
    }

    // Dispatches the next job (it must be `id`) and starts its attempt.
    Scheduler::Dispatch start(std::int64_t id) {
        auto d = scheduler->next(all_free);
        EXPECT_TRUE(d.has_value());
        if (!d) return {};
        EXPECT_EQ(d->job.id, id);
        scheduler->attempt_started(id, d->device_id);
        return *d;
    }

    Job job(std::int64_t id) { return *scheduler->job(id); }

    test::TempDir dir;
    FaxServer server;
    VirtualClock clock{kNoon};
    const CallerRights admin = CallerRights::admin();
    std::unique_ptr<SqliteStore> store;
    std::unique_ptr<Scheduler> scheduler;
    std::vector<std::pair<std::int64_t, std::int32_t>> aborted;
    std::vector<Job> changes;
    const std::function<bool(std::int32_t)> all_free = [](std::int32_t) { return true; };
};

TEST_F(SchedulerTest, SubmitQueuesAValidJob) {
    auto in = make_job();
    in.state = JobState::Failed;  // the queue's fields are the scheduler's
    in.attempts = 5;
    const auto j = scheduler->submit(in);
    EXPECT_GT(j.id, 0);
    EXPECT_EQ(j.state, JobState::Queued);
    EXPECT_EQ(j.attempts, 0);
    EXPECT_EQ(j.submitted, kNoon);
    EXPECT_EQ(j.next_attempt, kNoon);
    const auto stored = job(j.id);
    EXPECT_EQ(stored.state, JobState::Queued);
    EXPECT_EQ(stored.fax_number, in.fax_number);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].id, j.id);
}

TEST_F(SchedulerTest, SubmitRefusesBadFields) {
    const auto refused = [&](const std::function<void(Job&)>& edit) {
        auto j = make_job();
        edit(j);
        return code_of([&] { scheduler->submit(j); }) == ErrorCode::InvalidParameter;
    };
    EXPECT_TRUE(refused([](Job& j) { j.fax_number = ""; }));
    EXPECT_TRUE(refused([](Job& j) { j.fax_number = "555 0100;ATH"; }));
    EXPECT_TRUE(refused([](Job& j) { j.fax_number = "555A"; }));
    EXPECT_TRUE(refused([](Job& j) { j.fax_number = std::string(65, '5'); }));
    EXPECT_TRUE(refused([](Job& j) { j.tsid = std::string(21, 'x'); }));
    EXPECT_TRUE(refused([](Job& j) { j.tsid = "caf\xc3\xa9"; }));
    EXPECT_TRUE(refused([](Job& j) { j.page_count = 0; }));
    EXPECT_TRUE(scheduler->jobs(true).empty());

    auto ok = make_job();
    ok.fax_number = "+1 (555) 010-4477,,#*9";
    ok.fax_number += std::string(64 - ok.fax_number.size(), '0');
    ok.tsid = std::string(20, 'x');
    EXPECT_NO_THROW(scheduler->submit(ok));
    try {
        auto j = make_job();
        j.tsid = std::string(21, 'x');
        scheduler->submit(j);
    } catch (const FaxError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("fax job: Tsid", 0), 0u) << e.what();
    }
}

TEST_F(SchedulerTest, SubmitRefusesANumberWithoutADigit) {
    for (const char* number : {"+", "-", "()", "# *", ",,,", " "}) {
        auto j = make_job();
        j.fax_number = number;
        EXPECT_EQ(code_of([&] { scheduler->submit(j); }), ErrorCode::InvalidParameter) << number;
    }
    EXPECT_TRUE(scheduler->jobs(true).empty());
    auto ok = make_job();
    ok.fax_number = "*9";
    EXPECT_NO_THROW(scheduler->submit(ok));
}

TEST_F(SchedulerTest, SubmitRefusesOverlongNamesAndControlCharacters) {
    constexpr std::size_t kLimit = 256;  // Job::kMaxTextLength, in characters
    using Field = std::string Job::*;
    const std::pair<Field, const char*> fields[] = {
        {&Job::display_name, "DisplayName"},     {&Job::recipient_name, "RecipientName"},
        {&Job::sender_name, "SenderName"},       {&Job::sender_company, "SenderCompany"},
        {&Job::sender_dept, "SenderDepartment"}, {&Job::billing_code, "BillingCode"},
    };
    for (const auto& [field, name] : fields) {
        for (const std::string& bad :
             {std::string(100'000, 'x'), std::string(kLimit + 1, 'x'), std::string("two\nlines"),
              std::string("bell\a"), std::string("esc\x1b[2J"), std::string("c1 \xc2\x9b"),
              std::string("nul\0", 4)}) {
            auto j = make_job();
            j.*field = bad;
            try {
                scheduler->submit(j);
                ADD_FAILURE() << name << " accepted " << bad.size() << " bytes";
            } catch (const FaxError& e) {
                EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
                EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
                EXPECT_LT(std::string(e.what()).size(), 200u) << "the message echoes the value";
            }
        }
        // The limit counts characters, not bytes: a name in any script fits as well.
        auto ok = make_job();
        ok.*field = "";
        for (std::size_t i = 0; i < kLimit; ++i) ok.*field += "\xc3\xa9";
        EXPECT_NO_THROW(scheduler->submit(ok)) << name;
    }
    EXPECT_EQ(scheduler->jobs(true).size(), std::size(fields));
}

TEST_F(SchedulerTest, PicksTheHighestPriorityFreePortWithSendOn) {
    const auto id = submit();
    server.set_port_priority(admin, 3, 1);  // order now 3, 1, 2
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->device_id, 3);
    EXPECT_EQ(d->job.id, id);
    EXPECT_EQ(d->first_page, 0);

    server.port(3).put_Send(admin, false);
    d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->device_id, 1);

    d = scheduler->next([](std::int32_t device) { return device != 1; });
    ASSERT_TRUE(d);
    EXPECT_EQ(d->device_id, 2);

    EXPECT_FALSE(scheduler->next([](std::int32_t device) { return device == 3; }));
    // next() changes nothing: the job is still waiting.
    EXPECT_EQ(job(id).state, JobState::Queued);
    EXPECT_EQ(job(id).attempts, 0);
}

TEST_F(SchedulerTest, OldestWaitingJobFirst) {
    scheduler->set_max_calls_per_number(2);  // both jobs dial one number
    const auto a = submit();
    const auto b = submit();
    start(a);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, b);
}

TEST_F(SchedulerTest, PausedServerQueueSendsNothing) {
    const auto id = submit();
    set([](ServerSettings& s) { s.pause_server_queue = true; });
    EXPECT_FALSE(scheduler->next(all_free));
    EXPECT_FALSE(scheduler->next_wakeup());
    set([](ServerSettings& s) { s.pause_server_queue = false; });
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
    EXPECT_EQ(scheduler->next_wakeup(), kNoon);
}

TEST_F(SchedulerTest, RetriesAfterRetryDelayThenRetriesExceeded) {
    const auto id = submit();
    for (int attempt = 1; attempt <= 3; ++attempt) {
        SCOPED_TRACE(attempt);
        start(id);
        EXPECT_EQ(job(id).state, JobState::InProgress);
        EXPECT_EQ(job(id).attempts, attempt);
        scheduler->attempt_ended(id, failure(FailureClass::Busy));
        if (attempt == 3) break;
        const auto j = job(id);
        EXPECT_EQ(j.state, JobState::Retrying);
        EXPECT_EQ(j.next_attempt, clock.now() + 15min);
        EXPECT_EQ(j.last_failure, FailureClass::Busy);
        EXPECT_EQ(j.device_status, Fps::Busy);
        EXPECT_FALSE(j.finished);
        EXPECT_EQ(scheduler->next_wakeup(), clock.now() + 15min);
        clock.advance(15min - 1us);
        EXPECT_FALSE(scheduler->next(all_free));
        clock.advance(1us);
    }
    // Retries = 2: the first attempt and two retransmissions.
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::RetriesExceeded);
    EXPECT_EQ(j.attempts, 3);
    EXPECT_EQ(j.finished, clock.now());
    EXPECT_EQ(j.last_error, "failed: busy");
    EXPECT_FALSE(scheduler->next(all_free));
    EXPECT_FALSE(scheduler->next_wakeup());

    const auto history = store->attempts(id);
    ASSERT_EQ(history.size(), 3u);
    for (std::size_t i = 0; i < history.size(); ++i) {
        EXPECT_EQ(history[i].number, static_cast<std::int32_t>(i + 1));
        EXPECT_EQ(history[i].start, kNoon + (15min * static_cast<int>(i)));
        EXPECT_EQ(history[i].end, history[i].start);
        EXPECT_EQ(history[i].status, Fps::Busy);
        EXPECT_EQ(history[i].failure, FailureClass::Busy);
    }
}

TEST_F(SchedulerTest, NoRetriesMeansOneAttempt) {
    set([](ServerSettings& s) { s.retries = 0; });
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoAnswer));
    EXPECT_EQ(job(id).state, JobState::RetriesExceeded);
}

TEST_F(SchedulerTest, ZeroRetryDelayRetriesAtOnce) {
    set([](ServerSettings& s) { s.retry_delay = 0; });
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoCarrier));
    EXPECT_EQ(job(id).state, JobState::Retrying);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
}

TEST_F(SchedulerTest, FailureClassDecidesRetry) {
    const std::pair<FailureClass, JobState> cases[] = {
        {FailureClass::Busy, JobState::Retrying},
        {FailureClass::NoAnswer, JobState::Retrying},
        {FailureClass::NoCarrier, JobState::Retrying},
        {FailureClass::LineDropped, JobState::Retrying},
        {FailureClass::Protocol, JobState::Retrying},
        {FailureClass::Incompatible, JobState::Failed},
        {FailureClass::Document, JobState::Failed},
        {FailureClass::Aborted, JobState::Failed},
    };
    for (const auto& [f, expected] : cases) {
        SCOPED_TRACE(to_string(f));
        const auto id = submit();
        start(id);
        scheduler->attempt_ended(id, failure(f));
        const auto j = job(id);
        EXPECT_EQ(j.state, expected);
        EXPECT_EQ(j.last_failure, f);
        EXPECT_EQ(j.last_t30_cause, 20);
        EXPECT_EQ(j.finished.has_value(), expected == JobState::Failed);
        // Out of the way of the next case.
        scheduler->command(admin, "admin", id, JobCommand::Delete);
    }
}

TEST_F(SchedulerTest, RetryResumesAfterTheConfirmedPages) {
    const auto id = submit("alice", 5);
    start(id);
    scheduler->pages_confirmed(id, 1);
    scheduler->pages_confirmed(id, 2);
    EXPECT_EQ(job(id).pages_sent, 2);
    scheduler->attempt_ended(id, failure(FailureClass::LineDropped, 2));
    EXPECT_EQ(job(id).pages_sent, 2);

    clock.advance(15min);
    const auto d = start(id);
    EXPECT_EQ(d.first_page, 2);
    scheduler->pages_confirmed(id, 3);
    EXPECT_EQ(job(id).pages_sent, 5);
    scheduler->attempt_ended(id, success(3));
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::Completed);
    EXPECT_EQ(j.pages_sent, 5);
    EXPECT_EQ(j.last_error, "");

    const auto history = store->attempts(id);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].first_page, 0);
    EXPECT_EQ(history[0].pages_sent, 2);
    EXPECT_EQ(history[1].first_page, 2);
    EXPECT_EQ(history[1].pages_sent, 3);
    EXPECT_EQ(code_of([&] { scheduler->pages_confirmed(id, 1); }), ErrorCode::InvalidParameter);
}

TEST_F(SchedulerTest, PagesBeyondTheDocumentAreRefused) {
    const auto id = submit("alice", 2);
    start(id);
    EXPECT_EQ(code_of([&] { scheduler->pages_confirmed(id, 3); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(code_of([&] { scheduler->pages_confirmed(id, -1); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(job(id).pages_sent, 0);
}

TEST_F(SchedulerTest, NeverCompletedForAFailedFax) {
    const auto id = submit("alice", 3);
    start(id);
    scheduler->pages_confirmed(id, 2);
    // Status says Completed, but the call failed with the last page unconfirmed
    // (no MCF to the last EOP): not a delivered fax. (All pages confirmed is
    // delivered: ACallThatFailsAfterItsLastPageWasConfirmedIsCompleted.)
    auto o = failure(FailureClass::Protocol, 2);
    o.status = Fps::Completed;
    scheduler->attempt_ended(id, o);
    EXPECT_NE(job(id).state, JobState::Completed);
    EXPECT_EQ(job(id).state, JobState::Retrying);

    clock.advance(15min);
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Incompatible, 0));
    EXPECT_EQ(job(id).state, JobState::Failed);
    for (const auto& c : changes) EXPECT_NE(c.state, JobState::Completed);
}

TEST_F(SchedulerTest, CompletedOnSuccess) {
    const auto id = submit();
    start(id);
    scheduler->device_status(id, Fps::Sending);
    EXPECT_EQ(job(id).device_status, Fps::Sending);
    clock.advance(90s);
    scheduler->attempt_ended(id, success(3));
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::Completed);
    EXPECT_EQ(j.finished, kNoon + 90s);
    EXPECT_EQ(j.device_status, Fps::Completed);
    EXPECT_EQ(j.pages_sent, 3);
    EXPECT_EQ(store->attempts(id).at(0).end, kNoon + 90s);
    EXPECT_FALSE(scheduler->next(all_free));
}

TEST_F(SchedulerTest, DeviceStatusIsPersistedOnlyWhenItChanges) {
    const auto id = submit();
    start(id);
    const auto before = changes.size();
    scheduler->device_status(id, Fps::Sending);
    scheduler->device_status(id, Fps::Sending);
    EXPECT_EQ(changes.size(), before + 1);
    EXPECT_EQ(changes.back().device_status, Fps::Sending);
}

TEST_F(SchedulerTest, DeleteWaitingJobCancelsAtOnce) {
    const auto id = submit();
    const auto j = scheduler->command(admin, "admin", id, JobCommand::Delete);
    EXPECT_EQ(j.state, JobState::Cancelled);
    EXPECT_EQ(job(id).state, JobState::Cancelled);
    EXPECT_EQ(job(id).finished, kNoon);
    EXPECT_FALSE(scheduler->next(all_free));
    EXPECT_TRUE(aborted.empty());
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id, JobCommand::Delete); }),
              ErrorCode::NotFound);
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id, JobCommand::Pause); }),
              ErrorCode::NotFound);
}

TEST_F(SchedulerTest, DeleteDuringAnAttemptAbortsTheCall) {
    const auto id = submit();
    const auto d = start(id);
    const auto j = scheduler->command(admin, "admin", id, JobCommand::Delete);
    EXPECT_EQ(j.state, JobState::InProgress);
    EXPECT_EQ(j.device_status, Fps::Aborting);
    ASSERT_EQ(aborted.size(), 1u);
    EXPECT_EQ(aborted[0], std::make_pair(id, d.device_id));
    // The engine's reports do not hide the pending delete.
    scheduler->device_status(id, Fps::Sending);
    EXPECT_EQ(job(id).device_status, Fps::Aborting);

    scheduler->attempt_ended(id, failure(FailureClass::Aborted));
    EXPECT_EQ(job(id).state, JobState::Cancelled);
    EXPECT_TRUE(job(id).finished.has_value());
}

TEST_F(SchedulerTest, DeleteDuringARetryableFailureStillCancels) {
    const auto id = submit();
    start(id);
    scheduler->command(admin, "admin", id, JobCommand::Delete);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    EXPECT_EQ(job(id).state, JobState::Cancelled);
}

TEST_F(SchedulerTest, PauseDuringAnAttemptPausesWhenItReturns) {
    const auto id = submit();
    start(id);
    EXPECT_EQ(scheduler->command(admin, "admin", id, JobCommand::Pause).state,
              JobState::InProgress);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    auto j = job(id);
    EXPECT_EQ(j.state, JobState::Paused);
    EXPECT_EQ(j.next_attempt, kNoon + 15min);
    clock.advance(1h);
    EXPECT_FALSE(scheduler->next(all_free));

    j = scheduler->command(admin, "admin", id, JobCommand::Resume);
    EXPECT_EQ(j.state, JobState::Retrying);
    EXPECT_EQ(j.attempts, 1);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
}

TEST_F(SchedulerTest, PauseThenResumeDuringAnAttemptChangesNothing) {
    const auto id = submit();
    start(id);
    scheduler->command(admin, "admin", id, JobCommand::Pause);
    scheduler->command(admin, "admin", id, JobCommand::Resume);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    EXPECT_EQ(job(id).state, JobState::Retrying);
}

TEST_F(SchedulerTest, PauseAndResumeAWaitingJob) {
    const auto id = submit();
    EXPECT_EQ(scheduler->command(admin, "admin", id, JobCommand::Pause).state, JobState::Paused);
    EXPECT_EQ(job(id).state, JobState::Paused);
    EXPECT_FALSE(scheduler->next(all_free));
    EXPECT_FALSE(scheduler->next_wakeup());
    EXPECT_EQ(scheduler->command(admin, "admin", id, JobCommand::Resume).state, JobState::Queued);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
}

TEST_F(SchedulerTest, AttemptStartedRefusesAJobNoLongerWaiting) {
    const auto id = submit();
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    scheduler->command(admin, "admin", id, JobCommand::Pause);
    EXPECT_EQ(code_of([&] { scheduler->attempt_started(id, d->device_id); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(job(id).state, JobState::Paused);
    EXPECT_TRUE(store->attempts(id).empty());
}

TEST_F(SchedulerTest, RestartOfAFailedJob) {
    const auto id = submit("alice", 4);
    start(id);
    scheduler->pages_confirmed(id, 2);
    scheduler->attempt_ended(id, failure(FailureClass::Document, 2));
    ASSERT_EQ(job(id).state, JobState::Failed);
    clock.advance(1h);

    const auto j = scheduler->command(CallerRights::sender(), "alice", id, kJobRestart);
    EXPECT_EQ(j.state, JobState::Queued);
    EXPECT_EQ(j.attempts, 0);
    EXPECT_EQ(j.pages_sent, 0);
    EXPECT_EQ(j.next_attempt, kNoon + 1h);
    EXPECT_FALSE(j.finished);
    EXPECT_EQ(job(id).state, JobState::Queued);

    const auto d = start(id);
    EXPECT_EQ(d.first_page, 0);
    EXPECT_EQ(job(id).attempts, 1);
    // The history keeps the first attempt; the new one is numbered after it.
    const auto history = store->attempts(id);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].number, 2);
    EXPECT_EQ(history[1].first_page, 0);
}

TEST_F(SchedulerTest, RestartOfARetriesExceededJob) {
    set([](ServerSettings& s) { s.retries = 0; });
    const auto a = submit();
    start(a);
    scheduler->attempt_ended(a, failure(FailureClass::Busy));
    ASSERT_EQ(job(a).state, JobState::RetriesExceeded);
    EXPECT_EQ(scheduler->command(admin, "admin", a, JobCommand::Resume).state, JobState::Queued);
}

// Issue 15: in faxcom a deleted job's id is gone. No command brings a job
// deleted with JC_DELETE back (JC_RESUME = JC_RESTART = 3 revived it once, and
// it was then sent); each answers NotFound, also after faxd restarts.
TEST_F(SchedulerTest, ADeletedJobStaysDeleted) {
    const auto id = submit();
    scheduler->command(admin, "admin", id, JobCommand::Delete);
    const auto refused = [&](const std::function<void()>& f) {
        try {
            f();
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::NotFound) << e.what();
            // A Refusal: told apart from "no such job"
            const auto* refusal = dynamic_cast<const Refusal*>(&e);
            ASSERT_NE(refusal, nullptr);
            EXPECT_STREQ(refusal->reason(), reason::kJobDeleted);
            EXPECT_NE(std::string(e.what()).find("job " + std::to_string(id) + " was deleted"),
                      std::string::npos)
                << e.what();
            return;
        }
        ADD_FAILURE() << "not refused";
    };
    for (int round = 0; round < 2; ++round) {
        for (const auto cmd :
             {JobCommand::Resume, kJobRestart, JobCommand::Pause, JobCommand::Delete}) {
            refused([&] { scheduler->command(admin, "admin", id, cmd); });
        }
        refused([&] { scheduler->retry_now(admin, "admin", id); });
        Scheduler::Alteration change;
        change.priority = 60;
        refused([&] { scheduler->alter(admin, "admin", id, change); });
        EXPECT_EQ(job(id).state, JobState::Cancelled);
        clock.advance(1h);
        EXPECT_FALSE(scheduler->next(all_free));
        reopen();  // faxd restarts: still deleted
        EXPECT_EQ(scheduler->recover(), 0);
    }
}

TEST_F(SchedulerTest, CompletedJobCannotBeRestarted) {
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, success(3));
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id, kJobRestart); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(job(id).state, JobState::Completed);
}

TEST_F(SchedulerTest, RightsForAnotherUsersJobAreRefused) {
    const auto id = submit("alice");
    for (auto cmd : {JobCommand::Delete, JobCommand::Pause, JobCommand::Resume}) {
        EXPECT_EQ(code_of([&] { scheduler->command(CallerRights::sender(), "bob", id, cmd); }),
                  ErrorCode::AccessDenied);
    }
    // The owner needs FAX_JOB_SUBMIT; a viewer cannot touch even its own job.
    EXPECT_EQ(code_of([&] {
                  scheduler->command(CallerRights::viewer(), "alice", id, JobCommand::Pause);
              }),
              ErrorCode::AccessDenied);
    EXPECT_EQ(job(id).state, JobState::Queued);

    EXPECT_EQ(scheduler->command(CallerRights::sender(), "alice", id, JobCommand::Pause).state,
              JobState::Paused);
    const CallerRights manager{access::JobManage};
    EXPECT_EQ(scheduler->command(manager, "carol", id, JobCommand::Resume).state, JobState::Queued);
}

TEST_F(SchedulerTest, UnknownCommandsAndJobs) {
    const auto id = submit();
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id, JobCommand::Unknown); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id, static_cast<JobCommand>(7)); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(code_of([&] { scheduler->command(admin, "admin", id + 1, JobCommand::Delete); }),
              ErrorCode::NotFound);
    EXPECT_EQ(job(id).state, JobState::Queued);
}

TEST_F(SchedulerTest, DiscountJobWaitsForTheWindow) {
    // Local time is UTC+2: the 20:00 window opens at 18:00 UTC.
    scheduler = std::make_unique<Scheduler>(server, *store, clock, zone(2h));
    auto j = make_job();
    j.discount_send = true;
    const auto id = scheduler->submit(j).id;
    EXPECT_FALSE(scheduler->next(all_free));
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 6h);

    const auto now_job = submit();  // an ordinary job is not held back
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, now_job);
    scheduler->command(admin, "admin", now_job, JobCommand::Delete);

    clock.advance(6h - 1s);
    EXPECT_FALSE(scheduler->next(all_free));
    clock.advance(1s);
    d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
    EXPECT_EQ(scheduler->next_wakeup(), kNoon);  // due since it was submitted
}

TEST_F(SchedulerTest, DiscountRetryWaitsForTheLaterOfDelayAndWindow) {
    set([](ServerSettings& s) {
        s.discount_rate_start_hour = 12;
        s.discount_rate_start_minute = 0;
        s.discount_rate_end_hour = 12;
        s.discount_rate_end_minute = 10;
    });
    auto j = make_job();
    j.discount_send = true;
    const auto id = scheduler->submit(j).id;
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    // Retry due at 12:15, after the window closed at 12:10: next window tomorrow.
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 24h);
    clock.advance(15min);
    EXPECT_FALSE(scheduler->next(all_free));
    clock.advance(24h - 15min);
    EXPECT_TRUE(scheduler->next(all_free));
}

TEST_F(SchedulerTest, NextWakeupIsTheEarliestWaitingJob) {
    EXPECT_FALSE(scheduler->next_wakeup());
    const auto a = submit();
    start(a);
    EXPECT_FALSE(scheduler->next_wakeup());  // in progress: not waiting
    scheduler->attempt_ended(a, failure(FailureClass::Busy));
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 15min);
    clock.advance(5min);
    submit();
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 5min);
}

TEST_F(SchedulerTest, RecoverAfterACrashResendsOnlyWhatIsLeft) {
    const auto id = submit("alice", 5);
    const auto keep_waiting = submit();
    start(id);
    scheduler->pages_confirmed(id, 2);
    clock.advance(1min);
    reopen();  // faxd died: nothing more was written

    EXPECT_EQ(job(id).state, JobState::InProgress);
    EXPECT_EQ(scheduler->recover(), 1);
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::Queued);
    EXPECT_EQ(j.attempts, 1);  // the interrupted attempt counts, recovery does not
    EXPECT_EQ(j.pages_sent, 2);
    EXPECT_EQ(j.next_attempt, kNoon + 1min);
    EXPECT_EQ(j.last_failure, FailureClass::LineDropped);
    EXPECT_EQ(job(keep_waiting).state, JobState::Queued);
    const auto history = store->attempts(id);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].end, kNoon + 1min);
    EXPECT_EQ(history[0].pages_sent, 2);
    EXPECT_EQ(history[0].status, Fps::Disconnected);
    EXPECT_EQ(history[0].cause_text, "interrupted: faxd stopped during the attempt");

    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, id);
    EXPECT_EQ(d->first_page, 2);
    EXPECT_EQ(scheduler->recover(), 0);  // nothing left to recover
}

// kill -9 after the receiver confirmed the last page but before the call ended:
// the fax was delivered; dialling again would send nothing and fail.
TEST_F(SchedulerTest, RecoverCompletesAJobWhosePagesWereAllConfirmed) {
    const auto id = submit("alice", 3);
    start(id);
    scheduler->pages_confirmed(id, 3);
    clock.advance(1min);
    reopen();
    EXPECT_EQ(scheduler->recover(), 1);
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::Completed);
    EXPECT_EQ(j.pages_sent, 3);
    EXPECT_EQ(j.attempts, 1);
    EXPECT_EQ(j.device_status, Fps::Completed);
    EXPECT_EQ(j.last_failure, FailureClass::None);
    EXPECT_TRUE(j.last_error.empty()) << j.last_error;
    EXPECT_EQ(j.finished, kNoon + 1min);
    const auto history = store->attempts(id);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].status, Fps::Completed);
    EXPECT_EQ(history[0].pages_sent, 3);
    EXPECT_NE(history[0].cause_text.find("confirmed every page"), std::string::npos);
    EXPECT_FALSE(scheduler->next(all_free));  // never dialled again
}

// The line dropped after the last MCF, before DCN: delivered all the same.
TEST_F(SchedulerTest, ACallThatFailsAfterItsLastPageWasConfirmedIsCompleted) {
    const auto id = submit("alice", 2);
    start(id);
    scheduler->pages_confirmed(id, 2);
    scheduler->attempt_ended(id, failure(FailureClass::LineDropped, 2));
    const auto j = job(id);
    EXPECT_EQ(j.state, JobState::Completed);
    EXPECT_EQ(j.last_failure, FailureClass::None);
    EXPECT_FALSE(scheduler->next(all_free));
    // One page short is still a retry from the missing page.
    const auto other = submit("alice", 2);
    start(other);
    scheduler->attempt_ended(other, failure(FailureClass::LineDropped, 1));
    EXPECT_EQ(job(other).state, JobState::Retrying);
    EXPECT_EQ(job(other).pages_sent, 1);
}

TEST_F(SchedulerTest, RecoverOnTheLastAllowedAttemptStillRetries) {
    set([](ServerSettings& s) { s.retries = 0; });
    const auto id = submit();
    start(id);
    reopen();
    EXPECT_EQ(scheduler->recover(), 1);
    EXPECT_EQ(job(id).state, JobState::Queued);
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    EXPECT_EQ(job(id).state, JobState::RetriesExceeded);
    EXPECT_EQ(job(id).attempts, 2);
}

TEST_F(SchedulerTest, RecoverCancelsAJobDeletedBeforeTheCrash) {
    const auto id = submit();
    start(id);
    scheduler->command(admin, "admin", id, JobCommand::Delete);
    reopen();
    EXPECT_EQ(scheduler->recover(), 1);
    EXPECT_EQ(job(id).state, JobState::Cancelled);
    EXPECT_FALSE(scheduler->next(all_free));
}

TEST_F(SchedulerTest, PurgeByDirtyDays) {
    const auto done = submit();
    start(done);
    scheduler->attempt_ended(done, success(3));  // finished at noon, day 0
    const auto waiting = submit();
    scheduler->command(admin, "admin", waiting, JobCommand::Pause);
    clock.advance(24h);
    const auto failed = submit();
    start(failed);
    scheduler->attempt_ended(failed, failure(FailureClass::Document));  // day 1

    clock.advance(48h);  // exactly DirtyDays = 3 after the first: not yet more
    EXPECT_EQ(scheduler->purge(), 0);
    clock.advance(1us);
    EXPECT_EQ(scheduler->purge(), 1);
    EXPECT_FALSE(scheduler->job(done));
    EXPECT_TRUE(scheduler->job(failed));
    clock.advance(24h);
    EXPECT_EQ(scheduler->purge(), 1);
    EXPECT_FALSE(scheduler->job(failed));
    EXPECT_TRUE(scheduler->job(waiting));  // unfinished jobs are never purged

    // Ids are not reused after a purge.
    EXPECT_GT(submit(), failed);
}

TEST_F(SchedulerTest, DirtyDaysZeroKeepsForever) {
    set([](ServerSettings& s) { s.dirty_days = 0; });
    const auto id = submit();
    scheduler->command(admin, "admin", id, JobCommand::Delete);
    clock.advance(24h * 3650);
    EXPECT_EQ(scheduler->purge(), 0);
    EXPECT_TRUE(scheduler->job(id));
}

TEST_F(SchedulerTest, JobListsWithAndWithoutFinalJobs) {
    const auto a = submit();
    const auto b = submit();
    scheduler->command(admin, "admin", a, JobCommand::Delete);
    const auto live = scheduler->jobs(false);
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].id, b);
    EXPECT_EQ(scheduler->jobs(true).size(), 2u);
}

TEST_F(SchedulerTest, ListenersSeeEveryPersistedChange) {
    const auto id = submit();
    start(id);
    scheduler->pages_confirmed(id, 1);
    scheduler->attempt_ended(id, success(3));
    std::vector<JobState> states;
    for (const auto& c : changes) {
        EXPECT_EQ(c.id, id);
        states.push_back(c.state);
    }
    EXPECT_EQ(states, (std::vector<JobState>{JobState::Queued, JobState::InProgress,
                                             JobState::InProgress, JobState::Completed}));
    EXPECT_EQ(changes[2].pages_sent, 1);
}

// Issue 14: port 2 dialled 5551002, its own number, and got "line busy".
TEST_F(SchedulerTest, APortNeverDialsItsOwnNumber) {
    auto j = make_job();
    j.fax_number = "(200)";  // modem2's number, written otherwise
    const auto id = scheduler->submit(j).id;
    // Only modem2 is idle: the job waits for another port.
    EXPECT_FALSE(scheduler->next([](std::int32_t d) { return d == 2; }).has_value());
    EXPECT_EQ(scheduler->wait_reason(id), "");  // other ports can send: an ordinary wait
    // modem1 idle too: the job goes there, though modem2 has the higher priority now.
    server.set_port_priority(admin, 2, 1);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->job.id, id);
    EXPECT_NE(d->device_id, 2);
}

// With dial rules, numbers are compared in their canonical forms: a trailing
// match of seven digits is no longer taken for the same line.
TEST_F(SchedulerTest, NumbersAreComparedAsTheDialRulesReadThem) {
    DialRules rules;
    rules.country_code = "1";
    rules.area_code = "555";
    rules.long_distance_prefix = "1";
    rules.international_prefix = "011";
    scheduler->set_dial_rules(rules);
    server.port(1).put_Send(admin, false);
    server.port(3).put_Send(admin, false);
    server.port(2).number = "210-2000";  // written as dialled locally
    auto j = make_job();
    j.fax_number = "1 212 210 2000";  // another area: another line
    const auto other_area = scheduler->submit(j).id;
    j.fax_number = "+1 555 210 2000";  // modem2's own number, in full
    const auto own = scheduler->submit(j).id;
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->job.id, other_area);
    EXPECT_EQ(d->device_id, 2);
    scheduler->attempt_started(other_area, 2);
    scheduler->attempt_ended(other_area, success(3));
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    EXPECT_NE(scheduler->wait_reason(own).find("port modem2"), std::string::npos);
}

TEST_F(SchedulerTest, AJobOnlyItsOwnPortCouldSendWaitsAndSaysSo) {
    auto j = make_job();
    j.fax_number = "200";
    const auto id = scheduler->submit(j).id;
    server.port(1).put_Send(admin, false);
    server.port(3).put_Send(admin, false);
    changes.clear();
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    EXPECT_EQ(job(id).state, JobState::Queued);  // waits; does not fail
    const auto reason = scheduler->wait_reason(id);
    EXPECT_NE(reason.find("port modem2"), std::string::npos) << reason;
    ASSERT_EQ(changes.size(), 1u);  // announced once
    EXPECT_EQ(changes[0].id, id);
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    EXPECT_EQ(changes.size(), 1u);
    server.port(3).put_Send(admin, true);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->device_id, 3);
    EXPECT_EQ(scheduler->wait_reason(id), "");
}

TEST_F(SchedulerTest, JobsToOneNumberGoOneAtATime) {
    const auto a = submit();
    auto other = make_job();
    other.fax_number = "15550104477";  // the same line, without punctuation
    const auto b = scheduler->submit(other).id;
    start(a);
    EXPECT_FALSE(scheduler->next(all_free).has_value());  // b waits for a's call
    scheduler->attempt_ended(a, success(3));
    start(b);
    scheduler->attempt_ended(b, success(3));

    scheduler->set_max_calls_per_number(2);
    const auto c = submit();
    const auto d = submit();
    const auto e = submit();
    start(c);
    start(d);
    EXPECT_FALSE(scheduler->next(all_free).has_value());  // e: two calls already
    scheduler->attempt_ended(c, success(3));
    start(e);
    EXPECT_EQ(code_of([&] { scheduler->set_max_calls_per_number(0); }),
              ErrorCode::InvalidParameter);
}

// Issue 14: two jobs busy at the same instant retried at the same instant, and
// were busy again.
TEST_F(SchedulerTest, JobsThatFailTogetherRetryApart) {
    std::vector<double> draws{0.1, 0.7};
    scheduler->set_jitter([&] {
        const double d = draws.front();
        draws.erase(draws.begin());
        return d;
    });
    scheduler->set_max_calls_per_number(2);
    const auto a = submit();
    const auto b = submit();
    start(a);
    start(b);
    scheduler->attempt_ended(a, failure(FailureClass::Busy));
    scheduler->attempt_ended(b, failure(FailureClass::Busy));
    // RetryDelay 15 min plus up to a quarter of it (225 s): 0.1 and 0.7 of that.
    EXPECT_EQ(job(a).next_attempt, kNoon + 15min + 22500ms);
    EXPECT_EQ(job(b).next_attempt, kNoon + 15min + 157500ms);
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 15min + 22500ms);
}

TEST_F(SchedulerTest, TheDefaultJitterSpreadsRetries) {
    scheduler->set_jitter({});  // the random source faxd uses
    scheduler->set_max_calls_per_number(3);
    std::set<TimePoint> times;
    std::vector<std::int64_t> ids{submit(), submit(), submit()};
    for (auto id : ids) start(id);
    for (auto id : ids) scheduler->attempt_ended(id, failure(FailureClass::Busy));
    for (auto id : ids) {
        const auto t = job(id).next_attempt;
        EXPECT_GE(t, kNoon + 15min);
        EXPECT_LE(t, kNoon + 15min + 225s);
        times.insert(t);
    }
    EXPECT_EQ(times.size(), ids.size());
}

TEST_F(SchedulerTest, RetryNowMakesTheNextAttemptNow) {
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    clock.advance(1min);
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    const auto j = scheduler->retry_now(CallerRights::sender(), "alice", id);
    EXPECT_EQ(j.state, JobState::Retrying);
    EXPECT_EQ(j.next_attempt, clock.now());
    EXPECT_EQ(scheduler->next_wakeup(), clock.now());
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    // A paused job is resumed and sent now.
    scheduler->command(admin, "admin", id, JobCommand::Pause);
    EXPECT_EQ(scheduler->retry_now(admin, "admin", id).state, JobState::Retrying);
    EXPECT_EQ(job(id).next_attempt, clock.now());
    // Someone else's job, a job on the line, a finished job: refused.
    EXPECT_EQ(code_of([&] { scheduler->retry_now(CallerRights::sender(), "bob", id); }),
              ErrorCode::AccessDenied);
    start(id);
    EXPECT_EQ(code_of([&] { scheduler->retry_now(admin, "admin", id); }),
              ErrorCode::InvalidParameter);
    scheduler->attempt_ended(id, success(3));
    EXPECT_EQ(code_of([&] { scheduler->retry_now(admin, "admin", id); }),
              ErrorCode::InvalidParameter);
}

}  // namespace
}  // namespace faxemu

namespace faxemu {
namespace {

// Progress of a conversion: kept for job() and jobs(), told to listeners at
// most once per kProgressInterval, and gone once the conversion ends.
TEST_F(SchedulerTest, ConversionProgressIsKeptAndToldAtMostEveryInterval) {
    const std::int64_t id = scheduler->submit_converting(make_job()).id;
    changes.clear();
    ConversionProgress p{"letter.pdf", 1, 2, 0, std::nullopt};
    scheduler->conversion_progress(id, p);
    ASSERT_EQ(changes.size(), 1u);
    ASSERT_TRUE(changes[0].conversion);
    EXPECT_EQ(changes[0].conversion->document, "letter.pdf");
    EXPECT_EQ(queue_status_string(changes[0]), "Pending (converting letter.pdf, document 1 of 2)");
    for (int page = 1; page <= 40; ++page) {  // 40 pages in one interval
        p.pages_done = page;
        p.pages_total = 40;
        scheduler->conversion_progress(id, p);
    }
    EXPECT_EQ(changes.size(), 1u);
    ASSERT_TRUE(job(id).conversion);  // job.get has the latest all the same
    EXPECT_EQ(job(id).conversion->pages_done, 40);
    EXPECT_EQ(queue_status_string(job(id)),
              "Pending (converting letter.pdf, document 1 of 2: page 40 of 40)");
    EXPECT_EQ(scheduler->jobs(false).at(0).conversion->pages_done, 40);
    clock.advance(Scheduler::kProgressInterval);
    p.index = 2;
    p.document = "notes.txt";
    p.pages_done = 0;
    p.pages_total.reset();
    scheduler->conversion_progress(id, p);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[1].conversion->index, 2);

    ASSERT_TRUE(scheduler->conversion_done(id, "/spool/job.tif", 41, 1000));
    EXPECT_FALSE(job(id).conversion);
    EXPECT_EQ(queue_status_string(job(id)), "Pending");
    scheduler->conversion_progress(id, p);  // late: the job is queued
    EXPECT_FALSE(job(id).conversion);
    EXPECT_EQ(changes.size(), 3u);
}

// --- retries per failure class (HylaFAX's faxq: separate counters and delays) ---

// "No fax machine answered" is retried once, then final; its delay is faxcom's.
TEST_F(SchedulerTest, NoCarrierIsFinalAfterOneRetryByDefault) {
    scheduler->set_retry_policy(RetryPolicy{});
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoCarrier));
    auto j = job(id);
    EXPECT_EQ(j.state, JobState::Retrying);
    EXPECT_EQ(j.failures.no_carrier, 1);
    EXPECT_EQ(j.next_attempt, kNoon + 15min);
    clock.advance(15min);
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoCarrier));
    j = job(id);
    EXPECT_EQ(j.state, JobState::RetriesExceeded);
    EXPECT_EQ(j.failures, (FailureCounts{0, 0, 2, 0}));
    EXPECT_EQ(j.failures.dials(), 2);
}

// Busy: its own short delay and more retries than Retries (2 here); the other
// classes keep their own counts, so busy lines do not use up protocol retries.
TEST_F(SchedulerTest, BusyHasItsOwnDelayAndLimitAndCountersAreSeparate) {
    RetryPolicy policy;
    policy.busy = {4, 90s};
    scheduler->set_retry_policy(policy);
    const auto id = submit();
    for (int i = 1; i <= 4; ++i) {
        SCOPED_TRACE(i);
        start(id);
        scheduler->attempt_ended(id, failure(FailureClass::Busy));
        EXPECT_EQ(job(id).state, JobState::Retrying);
        EXPECT_EQ(job(id).next_attempt, clock.now() + 90s);
        clock.advance(90s);
    }
    for (int i = 1; i <= 2; ++i) {
        start(id);
        scheduler->attempt_ended(id, failure(FailureClass::Protocol));
        EXPECT_EQ(job(id).state, JobState::Retrying);
        EXPECT_EQ(job(id).next_attempt, clock.now() + 15min);  // faxcom's RetryDelay
        clock.advance(15min);
    }
    EXPECT_EQ(job(id).failures, (FailureCounts{4, 0, 0, 2}));
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    EXPECT_EQ(job(id).state, JobState::RetriesExceeded);
    EXPECT_EQ(job(id).failures.busy, 5);
}

TEST_F(SchedulerTest, TheDefaultBusyRuleRetriesSoonAndWithJitter) {
    scheduler->set_retry_policy(RetryPolicy{});
    scheduler->set_jitter([] { return 0.5; });
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    // 3 minutes plus half of a quarter of it.
    EXPECT_EQ(job(id).next_attempt, kNoon + 3min + 22500ms);
}

TEST_F(SchedulerTest, FailureCountsAreRecoveredAfterARestartAndClearedByRestart) {
    scheduler->set_retry_policy(RetryPolicy{});
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoCarrier));
    clock.advance(15min);
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoAnswer));
    reopen();
    scheduler->set_retry_policy(RetryPolicy{});
    EXPECT_EQ(job(id).failures, (FailureCounts{0, 1, 1, 0}));
    clock.advance(15min);
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::NoCarrier));
    ASSERT_EQ(job(id).state, JobState::RetriesExceeded);
    // A restarted job counts afresh.
    scheduler->command(admin, "admin", id, JobCommand::Resume);
    EXPECT_EQ(job(id).failures, FailureCounts{});
}

TEST_F(SchedulerTest, BadRetryPoliciesAreRefused) {
    RetryPolicy p;
    p.busy.retries = -1;
    EXPECT_EQ(code_of([&] { scheduler->set_retry_policy(p); }), ErrorCode::InvalidParameter);
    p = RetryPolicy{};
    p.no_answer.delay = 25h;
    EXPECT_EQ(code_of([&] { scheduler->set_retry_policy(p); }), ErrorCode::InvalidParameter);
}

// --- send at a time, on chosen ports, in priority order; faxalter ---

Scheduler::Alteration priority_of(std::int32_t p) {
    Scheduler::Alteration a;
    a.priority = p;
    return a;
}

TEST_F(SchedulerTest, SendAtIsHonouredToTheSecond) {
    auto in = make_job();
    in.send_at = kNoon + 2h + 30s;
    const auto id = scheduler->submit(in).id;
    EXPECT_EQ(job(id).next_attempt, kNoon + 2h + 30s);
    EXPECT_EQ(scheduler->next_wakeup(), kNoon + 2h + 30s);
    clock.advance(2h + 29s);
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    clock.advance(1s);
    start(id);
}

TEST_F(SchedulerTest, SendAtHoldsAJobThroughItsConversion) {
    auto in = make_job();
    in.send_at = kNoon + 1h;
    const auto id = scheduler->submit_converting(in).id;
    clock.advance(1min);
    scheduler->conversion_done(id, "/spool/doc.tif", 2, 100);
    EXPECT_EQ(job(id).next_attempt, kNoon + 1h);
    EXPECT_FALSE(scheduler->next(all_free).has_value());
}

TEST_F(SchedulerTest, SendAtInThePastIsRefusedButAMomentAgoIsNow) {
    auto in = make_job();
    in.send_at = kNoon - 5min;
    EXPECT_EQ(code_of([&] { scheduler->submit(in); }), ErrorCode::InvalidParameter);
    in.send_at = kNoon - 30s;  // the client's clock, the request's travel
    const auto id = scheduler->submit(in).id;
    EXPECT_EQ(job(id).next_attempt, kNoon);
}

TEST_F(SchedulerTest, PortsRestrictDispatchByNameOrGroup) {
    server.port(1).group = "fast";
    server.port(3).group = "fast";
    auto in = make_job();
    in.ports = {"modem2"};
    const auto on2 = scheduler->submit(in).id;
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, on2);
    EXPECT_EQ(d->device_id, 2);
    // Only modem2 busy: the job waits, though other ports are free.
    EXPECT_FALSE(scheduler->next([](std::int32_t p) { return p != 2; }).has_value());
    in.ports = {"fast"};
    scheduler->command(admin, "admin", on2, JobCommand::Delete);
    const auto fast = scheduler->submit(in).id;
    d = scheduler->next([](std::int32_t p) { return p != 1; });
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, fast);
    EXPECT_EQ(d->device_id, 3);
    in.ports = {"modem9"};
    try {
        scheduler->submit(in);
        FAIL() << "an unknown port was accepted";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("no port or port group named \"modem9\""),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(SchedulerTest, AJobWhosePortsAllHaveSendOffSaysSo) {
    server.port(2).put_Send(admin, false);
    auto in = make_job();
    in.ports = {"modem2"};
    const auto id = scheduler->submit(in).id;
    EXPECT_FALSE(scheduler->next(all_free).has_value());
    EXPECT_EQ(scheduler->wait_reason(id),
              "waiting: no port of those it may use (modem2) has Send on");
}

TEST_F(SchedulerTest, PriorityOrdersDispatchThenSubmitOrder) {
    const auto a = submit();
    const auto b = submit();
    auto in = make_job();
    in.priority = 80;
    const auto c = scheduler->submit(in).id;
    const auto d = submit();
    std::vector<std::int64_t> order;
    scheduler->set_max_calls_per_number(4);
    scheduler->alter(admin, "admin", d, priority_of(90));
    std::set<std::int32_t> on_line;
    const auto free = [&](std::int32_t p) { return !on_line.contains(p); };
    while (auto next = scheduler->next(free)) {
        order.push_back(next->job.id);
        on_line.insert(next->device_id);
        scheduler->attempt_started(next->job.id, next->device_id);
    }
    EXPECT_EQ(order, (std::vector<std::int64_t>{d, c, a}));  // three ports
    EXPECT_EQ(job(b).state, JobState::Queued);
}

TEST_F(SchedulerTest, AlterChangesNumberTimePriorityRetriesAndPorts) {
    scheduler->set_retry_policy(RetryPolicy{});
    const auto id = submit();
    start(id);
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    ASSERT_EQ(job(id).failures.busy, 1);
    Scheduler::Alteration change;
    change.fax_number = "5550199";
    change.send_at = kNoon + 1h;
    change.priority = 70;
    change.max_retries = 0;
    change.ports = std::vector<std::string>{"modem3"};
    const auto j = scheduler->alter(CallerRights::sender(), "alice", id, change);
    EXPECT_EQ(j.state, JobState::Retrying);
    EXPECT_EQ(j.fax_number, "5550199");
    EXPECT_EQ(j.failures, FailureCounts{});  // they were the old number's
    EXPECT_EQ(j.next_attempt, kNoon + 1h);
    EXPECT_EQ(j.priority, 70);
    EXPECT_EQ(j.max_retries, 0);
    EXPECT_EQ(j.ports, std::vector<std::string>{"modem3"});
    const auto stored = job(id);
    EXPECT_EQ(stored.fax_number, "5550199");
    EXPECT_EQ(stored.send_at, kNoon + 1h);
    clock.advance(1h);
    EXPECT_EQ(start(id).device_id, 3);
    // Its own retries (0 more) win over the busy class's eight.
    scheduler->attempt_ended(id, failure(FailureClass::Busy));
    EXPECT_EQ(job(id).state, JobState::RetriesExceeded);
}

TEST_F(SchedulerTest, AlterRefusesJobsInProgressOrFinishedAndBadValues) {
    const auto id = submit();
    EXPECT_EQ(code_of([&] { scheduler->alter(CallerRights::sender(), "bob", id, priority_of(1)); }),
              ErrorCode::AccessDenied);
    EXPECT_EQ(code_of([&] { scheduler->alter(admin, "admin", id, priority_of(101)); }),
              ErrorCode::InvalidParameter);
    const auto refused = [&](const std::function<void(Scheduler::Alteration&)>& edit) {
        Scheduler::Alteration a;
        edit(a);
        return code_of([&] { scheduler->alter(admin, "admin", id, a); });
    };
    EXPECT_EQ(refused([](auto& a) { a.fax_number = "call me"; }), ErrorCode::InvalidParameter);
    EXPECT_EQ(refused([](auto& a) { a.send_at = kNoon - 1h; }), ErrorCode::InvalidParameter);
    EXPECT_EQ(refused([](auto& a) { a.ports = std::vector<std::string>{"nowhere"}; }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(refused([](auto& a) { a.max_retries = -2; }), ErrorCode::InvalidParameter);
    EXPECT_EQ(job(id).priority, kDefaultJobPriority);  // nothing changed by a refusal
    start(id);
    try {
        scheduler->alter(admin, "admin", id, priority_of(60));
        FAIL() << "a job in progress was changed";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("is being sent now"), std::string::npos) << e.what();
    }
    scheduler->attempt_ended(id, success(3));
    EXPECT_EQ(code_of([&] { scheduler->alter(admin, "admin", id, priority_of(60)); }),
              ErrorCode::InvalidParameter);
}

// next() reads an index in memory (ready_queue.hpp); these check that it stays
// in step with the store through every kind of change.
TEST_F(SchedulerTest, PauseResumeDeleteAndPriorityBetweenPicksKeepTheOrder) {
    scheduler->set_max_calls_per_number(4);
    const auto a = submit();
    const auto b = submit();
    const auto c = submit();
    const auto picked = [&] {
        auto d = scheduler->next(all_free);
        return d ? d->job.id : 0;
    };
    EXPECT_EQ(picked(), a);
    scheduler->command(admin, "admin", a, JobCommand::Pause);
    EXPECT_EQ(picked(), b);
    scheduler->command(admin, "admin", a, JobCommand::Resume);
    EXPECT_EQ(picked(), a);  // back in its submit place
    scheduler->alter(admin, "admin", c, priority_of(90));
    EXPECT_EQ(picked(), c);
    scheduler->command(admin, "admin", c, JobCommand::Delete);
    scheduler->command(admin, "admin", a, JobCommand::Delete);
    EXPECT_EQ(picked(), b);
    Scheduler::Alteration later;
    later.send_at = kNoon + 1h;
    scheduler->alter(admin, "admin", b, later);
    EXPECT_EQ(picked(), 0);
    ASSERT_TRUE(scheduler->next_wakeup());
    EXPECT_EQ(*scheduler->next_wakeup(), kNoon + 1h);
    clock.advance(1h);
    EXPECT_EQ(picked(), b);
}

TEST_F(SchedulerTest, ARestartedJobKeepsItsSubmitPlace) {
    scheduler->set_max_calls_per_number(4);
    const auto a = submit();
    start(a);
    scheduler->attempt_ended(a, failure(FailureClass::Document));  // not retryable
    ASSERT_EQ(job(a).state, JobState::Failed);
    const auto b = submit();
    scheduler->command(admin, "admin", a, kJobRestart);
    auto d = scheduler->next(all_free);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->job.id, a);
    EXPECT_NE(d->job.id, b);
}

// Random interleavings of every change: after each, next() and next_wakeup()
// of the running scheduler are those of one built afresh from the store.
TEST_F(SchedulerTest, TheIndexStaysInStepWithTheStore) {
    scheduler->set_max_calls_per_number(2);
    std::mt19937 random(17);
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    const char* numbers[] = {"5550101", "5550102", "5550103", "+1 555 0104", "100"};
    std::vector<std::int64_t> ids;
    std::set<std::int32_t> on_line;
    std::map<std::int64_t, std::int32_t> calls;  // job -> device
    const auto free = [&](std::int32_t p) { return !on_line.contains(p); };
    const auto same = [&](const std::optional<Scheduler::Dispatch>& x,
                          const std::optional<Scheduler::Dispatch>& y) {
        if (!x || !y) return x.has_value() == y.has_value();
        return x->job.id == y->job.id && x->device_id == y->device_id &&
               x->first_page == y->first_page;
    };
    for (int step = 0; step < 400; ++step) {
        const int what = pick(10);
        const std::int64_t some =
            ids.empty() ? 0 : ids[static_cast<std::size_t>(pick(static_cast<int>(ids.size())))];
        try {
            if (what == 0 || ids.empty()) {
                auto j = make_job();
                j.fax_number = numbers[pick(5)];
                j.priority = pick(3) * 10;
                j.discount_send = pick(4) == 0;
                ids.push_back(scheduler->submit(j).id);
            } else if (what == 1) {
                scheduler->command(admin, "admin", some, JobCommand::Pause);
            } else if (what == 2) {
                scheduler->command(admin, "admin", some, JobCommand::Resume);
            } else if (what == 3) {
                scheduler->command(admin, "admin", some, JobCommand::Delete);
            } else if (what == 4) {
                scheduler->alter(admin, "admin", some, priority_of(pick(4) * 10));
            } else if (what == 5) {
                scheduler->retry_now(admin, "admin", some);
            } else if (what == 6) {
                if (auto d = scheduler->next(free)) {
                    scheduler->attempt_started(d->job.id, d->device_id);
                    on_line.insert(d->device_id);
                    calls[d->job.id] = d->device_id;
                }
            } else if (what == 7 && !calls.empty()) {
                auto call = calls.begin();
                std::advance(call, pick(static_cast<int>(calls.size())));
                scheduler->attempt_ended(call->first,
                                         pick(2) ? success(3) : failure(FailureClass::Busy));
                on_line.erase(call->second);
                calls.erase(call);
            } else if (what == 8) {
                clock.advance(std::chrono::seconds(pick(40)));
            } else {
                clock.advance(std::chrono::hours(pick(9)));  // into or out of the discount window
            }
        } catch (const FaxError&) {
            // A command the job's state refuses changes nothing.
        }
        Scheduler fresh(server, *store, clock, zone(0s));
        fresh.set_max_calls_per_number(2);
        ASSERT_TRUE(same(scheduler->next(free), fresh.next(free))) << "step " << step;
        ASSERT_EQ(scheduler->next_wakeup(), fresh.next_wakeup()) << "step " << step;
    }
}

TEST_F(SchedulerTest, ADispatchRoundStartsWhatNextWouldOneByOne) {
    const auto a = submit();  // a and b dial one number: one call at a time
    const auto b = submit();
    auto other = make_job();
    other.fax_number = "5550199";
    other.priority = 90;
    const auto c = scheduler->submit(other).id;
    other.fax_number = "5550198";
    other.priority = 0;
    const auto d = scheduler->submit(other).id;
    changes.clear();
    FreePorts free(server, all_free);
    const auto round = scheduler->start_due(free);
    ASSERT_EQ(round.size(), 3u);
    EXPECT_EQ(round[0].job.id, c);
    EXPECT_EQ(round[0].device_id, 1);  // the best port first
    EXPECT_EQ(round[1].job.id, a);
    EXPECT_EQ(round[1].device_id, 2);
    EXPECT_EQ(round[2].job.id, d);
    EXPECT_EQ(round[2].device_id, 3);
    for (auto id : {a, c, d}) {
        EXPECT_EQ(job(id).state, JobState::InProgress);
        EXPECT_EQ(job(id).attempts, 1);
        ASSERT_EQ(store->attempts(id).size(), 1u);
        EXPECT_EQ(store->attempts(id)[0].number, 1);
    }
    EXPECT_EQ(job(b).state, JobState::Queued);
    EXPECT_EQ(changes.size(), 3u);                    // each start told
    EXPECT_TRUE(scheduler->start_due(free).empty());  // no port left
    // After a crash the round's jobs go back to the queue like any other.
    reopen();
    EXPECT_EQ(scheduler->recover(), 3);
    EXPECT_EQ(scheduler->next(all_free)->job.id, c);
}

}  // namespace
}  // namespace faxemu
