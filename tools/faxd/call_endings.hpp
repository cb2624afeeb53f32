// What faxd does when a call ends: the accounting log's line (outbound and
// received calls), and for an outbound call the attempt's end in the
// scheduler and the copy of a delivered fax for ArchiveOutboundFaxes; and when
// a job ends, the notice mailed to its submitter. On the io thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "core/accounting_log.hpp"
#include "core/fax_server.hpp"
#include "core/port_bank.hpp"
#include "core/routing_runner.hpp"
#include "core/scheduler.hpp"
#include "core/worker_pool.hpp"
#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

class CallEndings {
  public:
    struct Parts {
        FaxServer& server;
        PortBank& service;
        Scheduler& scheduler;
        WorkerPool& workers;
        RoutingRunner& router;  // mails the notices
        AccountingLog& accounting;
        const Config& config;
        std::filesystem::path work_dir;  // the spool's tmp/
    };
    explicit CallEndings(Parts parts) : parts_(std::move(parts)) {}
    CallEndings(const CallEndings&) = delete;
    CallEndings& operator=(const CallEndings&) = delete;

    // One line in the accounting log for a call that ended; `id` is the job's
    // or the received fax's, `user` the job's owner.
    void account(const CallRecord& rec, std::int64_t id, const std::string& user);
    // The outbound call of job `job_id` ended: accounted, logged, the attempt
    // ended in the scheduler (unless faxd is `stopping`: recover() requeues
    // it), and a delivered fax archived.
    void outbound_ended(const CallRecord& rec, std::int64_t job_id, bool stopping);
    // Every change of a job: a job that ended mails its notice (Job::notify_*), once.
    void job_changed(const Job& job);

  private:
    // ArchiveOutboundFaxes: a copy of what `rec` delivered (outbound_archive.hpp).
    void archive(std::int64_t job_id, const CallRecord& rec);
    // Mails the job's submitter that it ended, on the worker pool.
    void send_notice(const Job& job);

    Parts parts_;
    // Jobs whose end notice has gone out since faxd started: a final job may be
    // reported changed more than once, its submitter is told once. By id and
    // submit time: an id is reused once its job is purged.
    std::set<std::pair<std::int64_t, TimePoint>> noticed_;
};

}  // namespace faxemu::faxd
