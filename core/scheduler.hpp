// The outbound queue's rules: which job goes next and on which port (higher
// priority first; never the port whose number it dials; only the ports it was
// given; at most max_calls_per_number calls to one number at once), what an
// attempt's outcome does to the job (done, retry after its failure class's
// delay plus jitter, failed for good when that class's retries are used up),
// the faxcom job commands, "retry now" and faxalter's changes, and recovery
// after a crash. It reads time
// from the injected clock and persists every change through the Store before
// returning, so the Store is the queue's truth; the engine does the calls.
// What next() reads is an index in memory kept in step with every change it
// persists (ready_queue.hpp), so dispatching does not read the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/call_outcome.hpp"
#include "core/caller_rights.hpp"
#include "core/clock.hpp"
#include "core/dial_rules.hpp"
#include "core/fax_codes.hpp"
#include "core/fax_server.hpp"
#include "core/free_ports.hpp"
#include "core/job.hpp"
#include "core/ready_queue.hpp"
#include "core/retry_policy.hpp"
#include "core/store.hpp"

namespace faxemu {

class Scheduler {
  public:
    using LocalTime = std::chrono::hh_mm_ss<std::chrono::seconds>;
    // The time of day at a point in time, for the discount window.
    using LocalTimeOf = std::function<LocalTime(TimePoint)>;

    // Longest fax number accepted: more than any dial string needs.
    static constexpr std::size_t kMaxFaxNumberLength = 64;
    // Longest DisplayName, RecipientName, SenderName, SenderCompany,
    // SenderDepartment and BillingCode, in characters. faxcom sets no limit;
    // this is far above any real name and keeps logs, lists and cover pages sane.
    static constexpr std::size_t kMaxTextLength = 256;

    // Checks the fields a client gives (FaxNumber, Tsid, the names and the
    // billing code); throws InvalidParameter naming the first bad one. submit
    // calls it; the control protocol calls it before converting a document.
    static void validate(const Job& job);
    // Checks what a client asks of a job's scheduling (priority, send_at,
    // ports, max_retries); throws InvalidParameter naming the first bad one.
    void validate_schedule(const Job& job) const;

    // A number in [0, 1): how far into the jitter window a retry lands.
    using Jitter = std::function<double()>;
    // A retry waits its class's delay plus up to this fraction of it, so that
    // jobs that failed together (busy at the same instant) do not retry together.
    static constexpr double kRetryJitterFraction = 0.25;
    // A send_at this far in the past is taken as "now" (the client's clock and
    // the request's travel); earlier is refused as a mistake.
    static constexpr std::chrono::seconds kSendAtSlack{60};

    // `local_time_of` empty: the process's local time zone (localtime_r).
    Scheduler(FaxServer& server, Store& store, const Clock& clock, LocalTimeOf local_time_of = {});
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // How many calls to one number may be in progress at once (1 by default;
    // numbers compared with DialRules::same_number). Set before use; at least 1.
    void set_max_calls_per_number(int n);
    // The rules by which numbers are read: a job's number and a port's own are
    // the same line when their canonical forms are (or, without a location,
    // when same_fax_number says so). Set before use; empty rules by default.
    void set_dial_rules(DialRules rules);
    // The retry jitter's source; by default a random one. Set before use
    // (tests inject a fixed sequence).
    void set_jitter(Jitter jitter);
    // The retry rules per failure class (RetryPolicy{} by default). Set before
    // use; throws InvalidParameter if a value is out of range.
    void set_retry_policy(RetryPolicy policy);

    // Validates and queues an outbound job; returns it with its id. Its
    // priority, send_at, ports and max_retries are the client's; send_at
    // delays its first attempt; every name in ports must be a port's or a
    // port group's. Throws InvalidParameter naming the bad field.
    Job submit(Job job);

    // An outbound job whose document (job.document, the upload) is still to be
    // converted: validated like submit() but for its pages, and persisted
    // Converting, so that faxd converts it again after a crash. next() never
    // picks it. Returns it with its id.
    Job submit_converting(Job job);
    // The conversion of a Converting job ended: it is Queued with its fax
    // document, or Failed with `error` (its document then empty). Both return
    // the job as it now is, or nothing (changing nothing) if it is no longer
    // Converting (deleted meanwhile).
    std::optional<Job> conversion_done(std::int64_t job_id, const std::string& document,
                                       std::int32_t page_count, std::int64_t size);
    std::optional<Job> conversion_failed(std::int64_t job_id, const std::string& error);
    // How far a Converting job's conversion has got. Kept (never stored) for
    // job() and jobs(); told to the listeners at most once per
    // kProgressInterval per job, so that a 500-page document cannot flood
    // clients. Ignored unless the job is Converting.
    static constexpr std::chrono::milliseconds kProgressInterval{250};
    void conversion_progress(std::int64_t job_id, const ConversionProgress& progress);

    struct Dispatch {
        Job job;
        std::int32_t device_id;
        std::int32_t first_page;  // 0-based: pages before it were confirmed earlier
    };
    // The job to send now and the port to send it on, or nothing: the
    // highest-priority free port with Send on whose own number is not the
    // job's, for the first due job whose number has fewer than
    // max_calls_per_number calls in progress. A due job that no port with Send
    // on may dial (every one is its own number) waits, and its wait_reason says
    // so. Changes nothing in the store: the engine calls attempt_started when
    // it really dials.
    std::optional<Dispatch> next(const std::function<bool(std::int32_t device_id)>& port_free);
    // The same from ports read once for a dispatch round (free_ports.hpp);
    // the port given to the job is taken out of `free`. O(log n) in the
    // number of waiting jobs when the first due job can go; jobs that must
    // wait (their number busy, no port may dial them) are passed over each time.
    std::optional<Dispatch> next(FreePorts& free);
    // A dispatch round: next() then attempt_started() for every job that may
    // go now on `free`, with the attempts persisted in one store transaction
    // (one sync to disk for the round) before this returns; the engine then
    // dials each. Each Dispatch's job is as next() gives it, before its start.
    std::vector<Dispatch> start_due(FreePorts& free);

    // What faxalter changes of a waiting job; what is set is changed.
    struct Alteration {
        std::optional<std::string> fax_number;  // resets the failure counts
        std::optional<TimePoint> send_at;       // also its next attempt
        std::optional<std::int32_t> priority;
        std::optional<std::int32_t> max_retries;  // -1: the per-class limits
        std::optional<std::vector<std::string>> ports;
    };
    // Changes a Converting, Queued, Retrying or Paused job, validated as
    // submit() does; rights as for command(). A job being sent or finished is
    // refused (InvalidParameter, saying why). Returns the job as it is now.
    Job alter(const CallerRights& caller, const std::string& user, std::int64_t job_id,
              const Alteration& change);

    // Engine events of one attempt. attempt_started throws InvalidParameter if
    // the job is no longer waiting (deleted or paused since next()): do not dial.
    // pages_confirmed counts from the attempt's first page and throws
    // InvalidParameter beyond the document. While a delete is pending the job
    // shows Aborting (persisted, so recover() cancels it) and device_status
    // reports are not recorded. A call that delivered every page completes the
    // job even if a delete or pause came too late to stop it.
    void attempt_started(std::int64_t job_id, std::int32_t device_id);
    void pages_confirmed(std::int64_t job_id, std::int32_t pages_in_this_attempt);
    void device_status(std::int64_t job_id, Fps status);
    void attempt_ended(std::int64_t job_id, const CallOutcome& outcome);

    // JC_DELETE, JC_PAUSE, JC_RESUME (== JC_RESTART). The job's owner with
    // FAX_JOB_SUBMIT, or anyone with FAX_JOB_MANAGE. Returns the job as it is now.
    Job command(const CallerRights& caller, const std::string& user, std::int64_t job_id,
                JobCommand cmd);

    // "Retry now": a Queued, Retrying or Paused job's next attempt becomes now
    // (a paused job is resumed). Rights as for command(). The discount window
    // still holds for a discount job. Returns the job as it is now.
    Job retry_now(const CallerRights& caller, const std::string& user, std::int64_t job_id);

    // Asked to stop the call of a job deleted while in progress; the engine then
    // reports attempt_ended as usual. Register before use.
    void on_abort(std::function<void(std::int64_t job_id, std::int32_t device_id)> abort);
    // Called after every persisted change of a job, outside the scheduler's lock.
    // Register before use.
    void on_job_changed(std::function<void(const Job&)> listener);

    // At start-up: puts jobs that were in progress when faxd died back in the
    // queue; returns how many.
    int recover();
    // Deletes jobs that reached a final state more than DirtyDays ago; returns how many.
    int purge();
    // When next() may next have something to do, for the engine's timer; none
    // when no job waits (or the server queue is paused).
    std::optional<TimePoint> next_wakeup() const;

    std::vector<Job> jobs(bool include_final) const;
    std::optional<Job> job(std::int64_t id) const;
    // Why a due job is not being sent though ports are idle, or "" (see next()).
    std::string wait_reason(std::int64_t id) const;

  private:
    // What a client asked of a job while it was on a port; applied when the
    // attempt returns.
    enum class Pending { Cancel, Pause };

    // Validates, resets the queue's own fields, persists as `state`.
    Job add(Job job, JobState state);
    // Reads a job or throws NotFound.
    Job load(std::int64_t id) const;
    // Reads a job a client may still command: as load(), and a job deleted
    // with JC_DELETE (cancelled) is NotFound too, as in faxcom, where a
    // deleted job's id is gone; it stays in the history for reading only.
    Job load_commandable(std::int64_t id) const;
    // Throws AccessDenied unless the caller may change the job.
    static void check_may_change(const CallerRights& caller, const std::string& user,
                                 const Job& job);
    // Whether a port other than the one dialled may send this job; if not, the reason.
    // `ports`: every port, by priority.
    std::string no_port_reason(const Job& job, const std::vector<Port*>& ports) const;
    // Throws InvalidParameter unless each name is a port's or a port group's.
    void validate_ports(const std::vector<std::string>& names) const;
    // Throws InvalidParameter for a send_at in the past (beyond kSendAtSlack).
    void validate_send_at(const std::optional<TimePoint>& at) const;
    // Sets a failed, retryable attempt's job to Retrying (Paused if a pause
    // was asked) after its class's delay, or RetriesExceeded; counts the failure.
    void decide_retry(Job& job, const CallOutcome& outcome, bool pause, TimePoint now);
    // next()'s pick, under mutex_; verdicts that changed go to `changed`.
    std::optional<Dispatch> pick(FreePorts& free, std::vector<Job>& changed);
    // Marks `job` started on `device_id` and returns its new attempt, numbered
    // `number`; persists nothing.
    Attempt begin_attempt(Job& job, std::int32_t device_id, std::int32_t number) const;
    // Persists and records the job for the listeners.
    void save(const Job& job, std::vector<Job>& changed);
    // Brings the index to a job just persisted: every change of a job in the
    // store goes through here. Under mutex_.
    void track(const Job& job);
    void notify(const std::vector<Job>& changed) const;
    // The attempt of `job` that is open (the last recorded one), if any.
    std::optional<Attempt> current_attempt(const Job& job) const;
    bool discount_ok(TimePoint t) const;
    TimePoint next_discount_start(TimePoint after) const;

    FaxServer& server_;
    Store& store_;
    const Clock& clock_;
    LocalTimeOf local_time_of_;

    mutable std::mutex mutex_;  // one change of the queue at a time
    std::map<std::int64_t, Pending> pending_;
    struct Progress {
        ConversionProgress value;
        std::optional<TimePoint> told;  // when the listeners last heard of it
    };
    std::map<std::int64_t, Progress> progress_;  // of Converting jobs
    // `job` with its conversion's progress, if it has any. Under mutex_.
    Job with_progress(Job job) const;
    int max_calls_per_number_ = 1;
    DialRules dial_rules_;
    Jitter jitter_;
    RetryPolicy retry_policy_;
    // next()'s verdicts on due jobs no port may dial; not persisted (next()
    // finds them again after a restart).
    std::map<std::int64_t, std::string> waits_;
    // The queue as next() reads it, in step with the store (under mutex_).
    ReadyQueue index_;
    std::function<void(std::int64_t, std::int32_t)> abort_;
    std::vector<std::function<void(const Job&)>> listeners_;
};

}  // namespace faxemu
