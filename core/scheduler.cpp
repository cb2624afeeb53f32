#include "core/scheduler.hpp"

#include <time.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <string_view>
#include <utility>

#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/port.hpp"
#include "core/refusal.hpp"

namespace faxemu {

namespace {

using namespace std::chrono_literals;

constexpr const char* kInterrupted = "interrupted: faxd stopped during the attempt";
constexpr const char* kDeliveredBeforeStop =
    "completed: the receiver confirmed every page before faxd stopped";

// The receiver confirmed (MCF) every page: the fax is delivered, whatever
// happened to the call after that (T.30 5.3.2: after the last MCF only DCN
// remains). Such a job is never dialled again.
bool delivered(const Job& job) {
    return job.page_count > 0 && job.pages_sent >= job.page_count;
}

Scheduler::LocalTime system_local_time(TimePoint t) {
    const auto secs = static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
    std::tm tm{};
    localtime_r(&secs, &tm);
    return Scheduler::LocalTime{std::chrono::hours{tm.tm_hour} + std::chrono::minutes{tm.tm_min} +
                                std::chrono::seconds{tm.tm_sec}};
}

bool waiting(JobState s) {
    return s == JobState::Queued || s == JobState::Retrying;
}

// A random jitter source, seeded once per scheduler.
Scheduler::Jitter random_jitter() {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::string job_name(std::int64_t id) {
    return "job " + std::to_string(id);
}

void validate_fax_number(const std::string& number) {
    if (number.empty()) throw FaxError(ErrorCode::InvalidParameter, "fax job: FaxNumber is empty");
    // Punctuation alone ("+", "()") would still go off-hook and dial nothing.
    if (number.find_first_of("0123456789") == std::string::npos)
        throw FaxError(ErrorCode::InvalidParameter, "fax job: FaxNumber has no digit to dial");
    if (number.size() > Scheduler::kMaxFaxNumberLength)
        throw FaxError(ErrorCode::InvalidParameter,
                       "fax job: FaxNumber is " + std::to_string(number.size()) +
                           " characters; at most " +
                           std::to_string(Scheduler::kMaxFaxNumberLength) + " are allowed");
    // What a dial string may hold; anything else could reach the modem as a command.
    constexpr std::string_view kAllowed = "0123456789+*#, -()";
    for (std::size_t i = 0; i < number.size(); ++i) {
        if (kAllowed.find(number[i]) == std::string_view::npos)
            throw FaxError(ErrorCode::InvalidParameter,
                           "fax job: FaxNumber has a character other than digits and + * # , "
                           "space - ( ) at position " +
                               std::to_string(i + 1));
    }
}

void validate_tsid(const std::string& tsid) {
    try {
        Port::validate_station_id(tsid, "Tsid", "");
    } catch (const FaxError& e) {
        // The port's message starts "port : "; this Tsid belongs to a job.
        std::string_view m = e.what();
        const auto colon = m.find(": ");
        if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
        throw FaxError(ErrorCode::InvalidParameter, "fax job: " + std::string(m));
    }
}

// Whether `job` may go out on `port`: any port, or one it names or whose group it names.
bool may_use(const Job& job, const Port& port) {
    if (job.ports.empty()) return true;
    return std::any_of(job.ports.begin(), job.ports.end(), [&](const std::string& n) {
        return n == port.Name() || (!port.group.empty() && n == port.group);
    });
}

void validate_priority(std::int32_t priority) {
    if (priority < kMinJobPriority || priority > kMaxJobPriority)
        throw FaxError(ErrorCode::InvalidParameter,
                       "fax job: priority must be " + std::to_string(kMinJobPriority) + " to " +
                           std::to_string(kMaxJobPriority) + ", got " + std::to_string(priority));
}

void validate_max_retries(std::int32_t n) {
    if (n < -1 || n > RetryPolicy::kMaxRetries)
        throw FaxError(ErrorCode::InvalidParameter,
                       "fax job: retries must be 0 to " + std::to_string(RetryPolicy::kMaxRetries) +
                           " (or -1 for the per-class limits), got " + std::to_string(n));
}

// The first attempt's time: now, or the send_at asked for.
TimePoint first_attempt(const Job& job, TimePoint now) {
    return job.send_at ? std::max(now, *job.send_at) : now;
}

// faxalter changes a job that waits; one on the line or finished is refused.
void check_alterable(const Job& job) {
    switch (job.state) {
        case JobState::Converting:
        case JobState::Queued:
        case JobState::Retrying:
        case JobState::Paused:
            return;
        case JobState::InProgress:
            throw FaxError(ErrorCode::InvalidParameter,
                           job_name(job.id) + " is being sent now, on port " +
                               std::to_string(job.device_id) +
                               "; change it when the attempt has ended (pause it first)");
        default:
            throw FaxError(
                ErrorCode::InvalidParameter,
                job_name(job.id) + " is " + to_string(job.state) + " and can no longer be changed");
    }
}

// Names reach logs, job lists, mail and (later) cover pages: one line, bounded.
void validate_text(const std::string& value, const char* field) {
    const std::string problem = one_line_problem(value, Scheduler::kMaxTextLength);
    if (!problem.empty())
        throw FaxError(ErrorCode::InvalidParameter,
                       std::string("fax job: ") + field + " " + problem);
}

}  // namespace

Scheduler::Scheduler(FaxServer& server, Store& store, const Clock& clock, LocalTimeOf local_time_of)
    : server_(server),
      store_(store),
      clock_(clock),
      local_time_of_(local_time_of ? std::move(local_time_of) : LocalTimeOf(system_local_time)),
      jitter_(random_jitter()) {
    index_.rebuild(store_.jobs());
}

void Scheduler::set_max_calls_per_number(int n) {
    if (n < 1)
        throw FaxError(ErrorCode::InvalidParameter,
                       "max_calls_per_number must be at least 1, got " + std::to_string(n));
    max_calls_per_number_ = n;
}

void Scheduler::set_dial_rules(DialRules rules) {
    std::lock_guard lock(mutex_);
    dial_rules_ = std::move(rules);
    // The index keys the calls in progress by their line.
    index_.set_dial_rules(dial_rules_);
    index_.rebuild(store_.jobs());
}

void Scheduler::set_jitter(Jitter jitter) {
    jitter_ = jitter ? std::move(jitter) : random_jitter();
}

void Scheduler::set_retry_policy(RetryPolicy policy) {
    policy.validate();
    retry_policy_ = policy;
}

void Scheduler::validate_ports(const std::vector<std::string>& names) const {
    for (const std::string& name : names) {
        bool known = false;
        std::string all;
        for (const Port* port : server_.ports_by_priority()) {
            known = known || name == port->Name() || (!port->group.empty() && name == port->group);
            all += (all.empty() ? "" : ", ") + port->Name() +
                   (port->group.empty() ? "" : " (group " + port->group + ")");
        }
        if (!known)
            throw FaxError(
                ErrorCode::InvalidParameter,
                "fax job: no port or port group named " + quoted_excerpt(name) + "; ports: " + all);
    }
}

void Scheduler::validate_schedule(const Job& job) const {
    validate_priority(job.priority);
    validate_max_retries(job.max_retries);
    validate_ports(job.ports);
    validate_send_at(job.send_at);
}

void Scheduler::validate_send_at(const std::optional<TimePoint>& at) const {
    if (at && *at < clock_.now() - kSendAtSlack)
        throw FaxError(ErrorCode::InvalidParameter,
                       "fax job: send_at is in the past; give a time to come");
}

void Scheduler::on_abort(std::function<void(std::int64_t, std::int32_t)> abort) {
    abort_ = std::move(abort);
}

void Scheduler::on_job_changed(std::function<void(const Job&)> listener) {
    listeners_.push_back(std::move(listener));
}

Job Scheduler::load(std::int64_t id) const {
    auto job = store_.job(id);
    if (!job) throw FaxError(ErrorCode::NotFound, "no job with JobId " + std::to_string(id));
    return *job;
}

Job Scheduler::load_commandable(std::int64_t id) const {
    Job job = load(id);
    if (job.state == JobState::Cancelled)
        throw Refusal(ErrorCode::NotFound,
                      job_name(id) +
                          " was deleted; a deleted job cannot be paused, resumed, restarted or "
                          "changed: submit the fax again",
                      reason::kJobDeleted);
    return job;
}

void Scheduler::save(const Job& job, std::vector<Job>& changed) {
    store_.update_job(job);
    track(job);
    changed.push_back(job);
}

void Scheduler::track(const Job& job) {
    index_.put(job);
    // A verdict is on a waiting job; sent, paused or gone, it has none.
    if (!waiting(job.state)) waits_.erase(job.id);
}

void Scheduler::notify(const std::vector<Job>& changed) const {
    for (const auto& job : changed) {
        for (const auto& listener : listeners_) listener(job);
    }
}

std::optional<Attempt> Scheduler::current_attempt(const Job& job) const {
    auto all = store_.attempts(job.id);
    if (all.empty() || all.back().end) return std::nullopt;
    return all.back();
}

bool Scheduler::discount_ok(TimePoint t) const {
    return server_.in_discount_period(local_time_of_(t));
}

TimePoint Scheduler::next_discount_start(TimePoint after) const {
    const auto s = server_.settings();
    const std::chrono::seconds start = std::chrono::hours{s.discount_rate_start_hour} +
                                       std::chrono::minutes{s.discount_rate_start_minute};
    auto delta = start - local_time_of_(after).to_duration();
    while (delta <= 0s) delta += 24h;
    while (delta > 24h) delta -= 24h;
    return after + delta;
}

void Scheduler::validate(const Job& job) {
    validate_fax_number(job.fax_number);
    validate_tsid(job.tsid);
    validate_text(job.display_name, "DisplayName");
    validate_text(job.recipient_name, "RecipientName");
    validate_text(job.sender_name, "SenderName");
    validate_text(job.sender_company, "SenderCompany");
    validate_text(job.sender_dept, "SenderDepartment");
    validate_text(job.billing_code, "BillingCode");
}

Job Scheduler::submit(Job job) {
    validate(job);
    if (job.page_count < 1)
        throw FaxError(ErrorCode::InvalidParameter, "fax job: PageCount must be at least 1, got " +
                                                        std::to_string(job.page_count));
    return add(std::move(job), JobState::Queued);
}

Job Scheduler::submit_converting(Job job) {
    job.page_count = 0;  // known when converted
    return add(std::move(job), JobState::Converting);
}

Job Scheduler::add(Job job, JobState state) {
    validate_fax_number(job.fax_number);
    validate_tsid(job.tsid);
    validate_schedule(job);
    const auto now = clock_.now();
    // The caller describes the fax; the queue's own fields start afresh.
    job.type = JobType::Send;
    job.state = state;
    job.submitted = now;
    job.next_attempt = first_attempt(job, now);
    job.attempts = 0;
    job.failures = {};
    job.pages_sent = 0;
    job.device_id = 0;
    job.device_status = Fps::Available;
    job.finished.reset();
    job.last_error.clear();
    job.last_t30_cause = -1;
    job.last_failure = FailureClass::None;
    {
        std::lock_guard lock(mutex_);
        job.id = store_.add_job(job);
        track(job);
    }
    notify({job});
    return job;
}

std::optional<Job> Scheduler::conversion_done(std::int64_t job_id, const std::string& document,
                                              std::int32_t page_count, std::int64_t size) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        progress_.erase(job_id);
        auto job = store_.job(job_id);
        if (!job || job->state != JobState::Converting) return std::nullopt;
        if (page_count < 1)
            throw FaxError(ErrorCode::InvalidParameter,
                           job_name(job_id) + ": a converted document needs a page, got " +
                               std::to_string(page_count));
        job->document = document;
        job->page_count = page_count;
        job->size = size;
        job->state = JobState::Queued;
        job->next_attempt = first_attempt(*job, clock_.now());
        save(*job, changed);
    }
    notify(changed);
    return changed.front();
}

std::optional<Job> Scheduler::conversion_failed(std::int64_t job_id, const std::string& error) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        progress_.erase(job_id);
        auto job = store_.job(job_id);
        if (!job || job->state != JobState::Converting) return std::nullopt;
        job->document.clear();
        job->state = JobState::Failed;
        job->last_error = error;
        job->finished = clock_.now();
        save(*job, changed);
    }
    notify(changed);
    return changed.front();
}

void Scheduler::conversion_progress(std::int64_t job_id, const ConversionProgress& progress) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        auto job = store_.job(job_id);
        if (!job || job->state != JobState::Converting) {
            progress_.erase(job_id);
            return;
        }
        Progress& p = progress_[job_id];
        if (p.value == progress && p.told) return;
        p.value = progress;
        const TimePoint now = clock_.now();
        if (p.told && now - *p.told < kProgressInterval) return;  // kept for job.get
        p.told = now;
        job->conversion = progress;
        changed.push_back(*job);
    }
    notify(changed);
}

Job Scheduler::with_progress(Job job) const {
    auto it = progress_.find(job.id);
    if (it != progress_.end() && job.state == JobState::Converting)
        job.conversion = it->second.value;
    return job;
}

std::string Scheduler::no_port_reason(const Job& job, const std::vector<Port*>& ports) const {
    std::string own;
    for (const Port* port : ports) {
        if (!port->Send() || !may_use(job, *port)) continue;
        if (!dial_rules_.same_number(port->number, job.fax_number)) return {};
        own += (own.empty() ? "" : ", ") + port->Name();
    }
    if (own.empty() && !job.ports.empty()) {
        std::string names;
        for (const auto& n : job.ports) names += (names.empty() ? "" : ", ") + n;
        return "waiting: no port of those it may use (" + names + ") has Send on";
    }
    if (own.empty()) return "waiting: no port has Send on";
    return "waiting: " + job.fax_number + " is the number of port " + own +
           ", which cannot dial itself; no other port " + (job.ports.empty() ? "" : "it may use ") +
           "has Send on";
}

std::optional<Scheduler::Dispatch> Scheduler::next(
    const std::function<bool(std::int32_t)>& port_free) {
    FreePorts free(server_, port_free);
    return next(free);
}

std::optional<Scheduler::Dispatch> Scheduler::next(FreePorts& free) {
    std::vector<Job> changed;
    std::optional<Dispatch> out;
    {
        std::lock_guard lock(mutex_);
        out = pick(free, changed);
    }
    notify(changed);
    return out;
}

std::optional<Scheduler::Dispatch> Scheduler::pick(FreePorts& free, std::vector<Job>& changed) {
    if (server_.settings().pause_server_queue) return std::nullopt;
    const auto now = clock_.now();
    const bool discount_now = discount_ok(now);
    index_.promote(now);
    // The ports are read only when a job is due.
    if (!index_.any_due(discount_now) || free.empty()) return std::nullopt;
    const Port* port = nullptr;
    // The first due job, by priority then submit order, that may go now.
    const Job* job = index_.find(discount_now, [&](const Job& j) {
        if (index_.calls_to(j.fax_number) >= max_calls_per_number_) return false;
        // Why it cannot go (if so) is shown and announced once, when it changes.
        const std::string reason = no_port_reason(j, free.all());
        const auto w = waits_.find(j.id);
        if ((w == waits_.end() ? std::string() : w->second) != reason) changed.push_back(j);
        if (!reason.empty()) {
            waits_[j.id] = reason;
            return false;
        }
        if (w != waits_.end()) waits_.erase(w);
        port = free.take_first([&](const Port& p) {
            return may_use(j, p) && !dial_rules_.same_number(p.number, j.fax_number);
        });
        return port != nullptr;  // none: only its own number's port is idle
    });
    if (!job) return std::nullopt;
    return Dispatch{*job, port->DeviceId(), job->pages_sent};
}

std::vector<Scheduler::Dispatch> Scheduler::start_due(FreePorts& free) {
    std::vector<Dispatch> out;
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        std::vector<std::pair<Job, Attempt>> starts;
        try {
            while (auto d = pick(free, changed)) {
                Job job = d->job;
                // Numbered after every recorded attempt, as in attempt_started.
                const auto history = store_.attempts(job.id);
                const std::int32_t number = history.empty() ? 1 : history.back().number + 1;
                Attempt a = begin_attempt(job, d->device_id, number);
                // In the index at once: the next pick sees this call in progress.
                track(job);
                pending_.erase(job.id);
                starts.emplace_back(job, a);
                out.push_back(std::move(*d));
            }
            if (!starts.empty()) store_.start_attempts(starts);
        } catch (...) {
            index_.rebuild(store_.jobs());  // nothing of the round was persisted
            throw;
        }
        for (const auto& start : starts) changed.push_back(start.first);
    }
    notify(changed);
    return out;
}

Attempt Scheduler::begin_attempt(Job& job, std::int32_t device_id, std::int32_t number) const {
    job.attempts += 1;
    job.state = JobState::InProgress;
    job.device_id = device_id;
    job.device_status = Fps::Dialing;
    Attempt a;
    a.job_id = job.id;
    a.number = number;
    a.device_id = device_id;
    a.start = clock_.now();
    a.first_page = job.pages_sent;
    a.status = Fps::Dialing;
    return a;
}

void Scheduler::attempt_started(std::int64_t job_id, std::int32_t device_id) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        auto job = load(job_id);
        if (!waiting(job.state))
            throw FaxError(
                ErrorCode::InvalidParameter,
                job_name(job_id) + " is " + to_string(job.state) + ", not waiting to be sent");
        // Numbered after every recorded attempt, not by job.attempts: a restart
        // resets the count but keeps the history.
        const auto history = store_.attempts(job_id);
        const std::int32_t number = history.empty() ? 1 : history.back().number + 1;
        const Attempt a = begin_attempt(job, device_id, number);
        // The job first: if faxd dies before the attempt row is written, recover()
        // still finds the job in progress and puts it back.
        save(job, changed);
        store_.add_attempt(a);
        pending_.erase(job_id);
    }
    notify(changed);
}

void Scheduler::pages_confirmed(std::int64_t job_id, std::int32_t pages_in_this_attempt) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        auto job = load(job_id);
        auto attempt = job.state == JobState::InProgress ? current_attempt(job) : std::nullopt;
        if (!attempt)
            throw FaxError(ErrorCode::InvalidParameter,
                           job_name(job_id) + " has no attempt in progress");
        if (pages_in_this_attempt < 0 ||
            attempt->first_page + pages_in_this_attempt > job.page_count)
            throw FaxError(ErrorCode::InvalidParameter,
                           job_name(job_id) + ": " + std::to_string(pages_in_this_attempt) +
                               " pages confirmed after page " +
                               std::to_string(attempt->first_page) + " of " +
                               std::to_string(job.page_count));
        if (attempt->pages_sent == pages_in_this_attempt) return;
        // The job's count is what a resend starts from, so it is written first.
        job.pages_sent = attempt->first_page + pages_in_this_attempt;
        save(job, changed);
        attempt->pages_sent = pages_in_this_attempt;
        store_.update_attempt(*attempt);
    }
    notify(changed);
}

void Scheduler::device_status(std::int64_t job_id, Fps status) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        auto job = load(job_id);
        // Late reports after the attempt ended change nothing; while a delete is
        // pending the job keeps showing Aborting.
        if (job.state != JobState::InProgress || job.device_status == status) return;
        const auto p = pending_.find(job_id);
        if (p != pending_.end() && p->second == Pending::Cancel) return;
        job.device_status = status;
        save(job, changed);
    }
    notify(changed);
}

void Scheduler::attempt_ended(std::int64_t job_id, const CallOutcome& outcome) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        auto job = load(job_id);
        if (job.state != JobState::InProgress)
            throw FaxError(ErrorCode::InvalidParameter,
                           job_name(job_id) + " is " + to_string(job.state) + ", not in progress");
        const auto now = clock_.now();
        auto attempt = current_attempt(job);
        const auto first_page = attempt ? attempt->first_page : job.pages_sent;
        const auto pages =
            std::clamp(outcome.pages_done, 0, std::max(0, job.page_count - first_page));
        std::optional<Pending> pending;
        if (auto p = pending_.find(job_id); p != pending_.end()) {
            pending = p->second;
            pending_.erase(p);
        }
        job.pages_sent = first_page + pages;
        // A call that failed after the last page's MCF still delivered the fax.
        const bool done = outcome.ok() || delivered(job);
        job.device_status = done ? Fps::Completed : outcome.status;
        job.last_error = done ? std::string() : outcome.cause_text;
        job.last_t30_cause = outcome.t30_cause;
        job.last_failure = done ? FailureClass::None : outcome.failure;
        if (done) {
            // Delivered is delivered, even if a delete or pause came too late.
            job.state = JobState::Completed;
        } else if (pending == Pending::Cancel) {
            job.state = JobState::Cancelled;
        } else if (!outcome.retryable()) {
            job.state = JobState::Failed;
        } else {
            decide_retry(job, outcome, pending == Pending::Pause, now);
        }
        if (is_final(job.state)) job.finished = now;
        if (attempt) {
            attempt->end = now;
            attempt->status = outcome.status;
            attempt->failure = outcome.failure;
            attempt->t30_cause = outcome.t30_cause;
            attempt->cause_text = outcome.cause_text;
            attempt->pages_sent = pages;
            // One transaction: a crash never leaves a decided job with an open attempt.
            store_.update_job_and_attempt(job, *attempt);
            track(job);
            changed.push_back(job);
        } else {
            save(job, changed);
        }
    }
    notify(changed);
}

void Scheduler::decide_retry(Job& job, const CallOutcome& outcome, bool pause, TimePoint now) {
    const auto settings = server_.settings();
    std::int32_t* count = job.failures.of(outcome.failure);
    if (count) *count += 1;
    // A job's own retries count every attempt; else each class has its limit.
    const bool retry =
        job.max_retries >= 0
            ? job.attempts <= job.max_retries
            : count && *count <= retry_policy_.retries(outcome.failure, settings.retries);
    if (!retry) {
        job.state = JobState::RetriesExceeded;
        return;
    }
    // A pause keeps the retry time, so a resume waits out the delay.
    job.state = pause ? JobState::Paused : JobState::Retrying;
    const Duration delay = retry_policy_.delay(outcome.failure, settings.retry_delay);
    const double j = std::clamp(jitter_(), 0.0, 1.0);
    job.next_attempt = now + delay +
                       Duration{static_cast<Duration::rep>(static_cast<double>(delay.count()) *
                                                           kRetryJitterFraction * j)};
}

Job Scheduler::alter(const CallerRights& caller, const std::string& user, std::int64_t job_id,
                     const Alteration& change) {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        Job job = load_commandable(job_id);
        check_may_change(caller, user, job);
        check_alterable(job);
        if (change.fax_number) validate_fax_number(*change.fax_number);
        if (change.priority) validate_priority(*change.priority);
        if (change.max_retries) validate_max_retries(*change.max_retries);
        if (change.ports) validate_ports(*change.ports);
        if (change.send_at) validate_send_at(change.send_at);
        // Every value checked: now they change together.
        if (change.fax_number) {
            // The failures counted were the old number's.
            if (*change.fax_number != job.fax_number) job.failures = {};
            job.fax_number = *change.fax_number;
        }
        if (change.send_at) {
            job.send_at = change.send_at;
            job.next_attempt = first_attempt(job, clock_.now());
        }
        if (change.priority) job.priority = *change.priority;
        if (change.max_retries) job.max_retries = *change.max_retries;
        if (change.ports) job.ports = *change.ports;
        save(job, changed);
    }
    notify(changed);
    return changed.front();
}

void Scheduler::check_may_change(const CallerRights& caller, const std::string& user,
                                 const Job& job) {
    const bool owner = user == job.user_name && caller.has(access::JobSubmit);
    if (!owner && !caller.has(access::JobManage))
        throw FaxError(ErrorCode::AccessDenied,
                       "access denied: changing " + job_name(job.id) + " of user " + job.user_name +
                           " needs FAX_JOB_MANAGE (or FAX_JOB_SUBMIT for one's own job)");
}

Job Scheduler::retry_now(const CallerRights& caller, const std::string& user, std::int64_t job_id) {
    std::vector<Job> changed;
    Job job;
    {
        std::lock_guard lock(mutex_);
        job = load_commandable(job_id);
        check_may_change(caller, user, job);
        switch (job.state) {
            case JobState::Paused:
                job.state = job.attempts > 0 ? JobState::Retrying : JobState::Queued;
                [[fallthrough]];
            case JobState::Queued:
            case JobState::Retrying:
                job.next_attempt = clock_.now();
                save(job, changed);
                break;
            case JobState::Converting:  // queued for now when its conversion ends
                break;
            case JobState::InProgress:
                throw FaxError(ErrorCode::InvalidParameter, job_name(job_id) +
                                                                " is being sent now, on port " +
                                                                std::to_string(job.device_id));
            default:
                throw FaxError(ErrorCode::InvalidParameter, job_name(job_id) + " is " +
                                                                to_string(job.state) +
                                                                ": restart it to send it again");
        }
    }
    notify(changed);
    return job;
}

Job Scheduler::command(const CallerRights& caller, const std::string& user, std::int64_t job_id,
                       JobCommand cmd) {
    std::vector<Job> changed;
    std::optional<std::int32_t> abort_device;
    Job job;
    {
        std::lock_guard lock(mutex_);
        job = load_commandable(job_id);
        check_may_change(caller, user, job);
        const auto now = clock_.now();
        const auto refuse = [&](const std::string& why) {
            throw FaxError(ErrorCode::InvalidParameter, job_name(job_id) + " " + why);
        };
        const auto p = pending_.find(job_id);
        const bool cancel_pending = p != pending_.end() && p->second == Pending::Cancel;
        switch (cmd) {
            case JobCommand::Delete:
                switch (job.state) {
                    // A conversion that ends after this changes nothing.
                    case JobState::Converting:
                    case JobState::Queued:
                    case JobState::Retrying:
                    case JobState::Paused:
                    // faxcom kept failed jobs in the queue until deleted; so do we.
                    case JobState::Failed:
                    case JobState::RetriesExceeded:
                        job.state = JobState::Cancelled;
                        job.finished = now;
                        save(job, changed);
                        break;
                    case JobState::InProgress:
                        if (cancel_pending) break;
                        // Aborting is persisted so that recover() cancels rather
                        // than resends a job deleted just before a crash.
                        pending_[job_id] = Pending::Cancel;
                        job.device_status = Fps::Aborting;
                        save(job, changed);
                        abort_device = job.device_id;
                        break;
                    case JobState::Completed:
                    case JobState::Cancelled:
                        refuse(std::string("is already ") + to_string(job.state));
                }
                break;
            case JobCommand::Pause:
                switch (job.state) {
                    case JobState::Queued:
                    case JobState::Retrying:
                        job.state = JobState::Paused;
                        save(job, changed);
                        break;
                    case JobState::Paused:
                        break;
                    case JobState::InProgress:
                        if (!cancel_pending) pending_[job_id] = Pending::Pause;
                        break;
                    default:
                        refuse(std::string("cannot be paused: it is ") + to_string(job.state));
                }
                break;
            case JobCommand::Resume:  // also JC_RESTART
                if (job.document.empty() && job.state != JobState::Converting)
                    refuse("has no document to send (it could not be converted: " + job.last_error +
                           "); submit it again");
                switch (job.state) {
                    case JobState::Paused:
                        // Back to what it was: only a job that has been tried retries.
                        job.state = job.attempts > 0 ? JobState::Retrying : JobState::Queued;
                        save(job, changed);
                        break;
                    case JobState::Failed:
                    case JobState::RetriesExceeded:
                        job.state = JobState::Queued;
                        job.attempts = 0;
                        job.failures = {};
                        job.pages_sent = 0;
                        job.next_attempt = now;
                        job.finished.reset();
                        save(job, changed);
                        break;
                    case JobState::InProgress:
                        // Withdraws a pause asked for during the attempt.
                        if (!cancel_pending) pending_.erase(job_id);
                        break;
                    case JobState::Converting:
                    case JobState::Queued:
                    case JobState::Retrying:
                        break;
                    case JobState::Completed:
                    case JobState::Cancelled:  // load_commandable refused it already
                        refuse("was sent completely; submit it again to send it again");
                }
                break;
            default:
                refuse("cannot take job command " + std::to_string(static_cast<int>(cmd)) +
                       " (JC_DELETE 1, JC_PAUSE 2, JC_RESUME/JC_RESTART 3)");
        }
    }
    notify(changed);
    if (abort_device && abort_) abort_(job_id, *abort_device);
    return job;
}

int Scheduler::recover() {
    std::vector<Job> changed;
    {
        std::lock_guard lock(mutex_);
        pending_.clear();
        const auto now = clock_.now();
        for (auto job : store_.jobs()) {
            if (job.state != JobState::InProgress) continue;
            const bool done = delivered(job);
            // The attempt first: if faxd dies again here, the next recover() finds
            // the job still in progress with nothing open, and decides again.
            if (auto attempt = current_attempt(job)) {
                attempt->end = now;
                attempt->status = done ? Fps::Completed : Fps::Disconnected;
                attempt->failure = done ? FailureClass::None : FailureClass::LineDropped;
                attempt->cause_text = done ? kDeliveredBeforeStop : kInterrupted;
                store_.update_attempt(*attempt);
            }
            if (done) {
                // Delivered is delivered, even if a delete came too late.
                job.state = JobState::Completed;
                job.device_status = Fps::Completed;
                job.last_error.clear();
                job.last_failure = FailureClass::None;
                job.finished = now;
                save(job, changed);
                continue;
            }
            const bool deleted = job.device_status == Fps::Aborting;
            job.device_status = Fps::Disconnected;
            job.last_error = kInterrupted;
            job.last_t30_cause = -1;
            job.last_failure = FailureClass::LineDropped;
            if (deleted) {
                job.state = JobState::Cancelled;
                job.finished = now;
            } else {
                // The interrupted attempt stays counted in job.attempts (it was
                // counted when it started) and recovery counts nothing more. The
                // job is queued even if that was its last allowed attempt: our
                // crash is not the far end's failure. It resumes at pages_sent.
                job.state = JobState::Queued;
                job.next_attempt = now;
            }
            save(job, changed);
        }
        // The pending commands are gone: the index starts again from the store.
        index_.rebuild(store_.jobs());
    }
    notify(changed);
    return static_cast<int>(changed.size());
}

int Scheduler::purge() {
    std::lock_guard lock(mutex_);
    const auto days = server_.settings().dirty_days;
    if (days == 0) return 0;  // keep forever
    const int n = store_.purge_finished_before(clock_.now() - std::chrono::days{days});
    // Purged ids may come again; their submit order is the store's.
    if (n > 0) index_.rebuild(store_.jobs());
    return n;
}

std::optional<TimePoint> Scheduler::next_wakeup() const {
    std::lock_guard lock(mutex_);
    // A paused queue sends nothing; unpausing is a settings change the engine sees.
    if (server_.settings().pause_server_queue) return std::nullopt;
    const auto now = clock_.now();
    std::optional<TimePoint> earliest;
    for (const auto& entry : index_.waiting_jobs()) {
        const Job& job = entry.second;
        auto t = job.next_attempt;
        if (job.discount_send) {
            const auto from = std::max(now, t);
            if (!discount_ok(from)) t = next_discount_start(from);
        }
        if (!earliest || t < *earliest) earliest = t;
    }
    return earliest;
}

std::vector<Job> Scheduler::jobs(bool include_final) const {
    auto all = store_.jobs();
    if (!include_final) std::erase_if(all, [](const Job& j) { return is_final(j.state); });
    std::lock_guard lock(mutex_);
    for (Job& j : all) j = with_progress(std::move(j));
    return all;
}

std::optional<Job> Scheduler::job(std::int64_t id) const {
    auto job = store_.job(id);
    if (!job) return job;
    std::lock_guard lock(mutex_);
    return with_progress(std::move(*job));
}

std::string Scheduler::wait_reason(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    const auto w = waits_.find(id);
    return w == waits_.end() ? std::string() : w->second;
}

}  // namespace faxemu
