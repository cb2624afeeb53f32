// The mail a submitter gets when a job ends, if asked for (Job::notify_when):
// what HylaFAX's notify script sends, in faxemu's words. faxd mails it through
// the routing runner's mailer (RoutingRunner::mail).
#pragma once

#include <string>

#include "core/job.hpp"

namespace faxemu {

struct JobNotice {
    std::string subject;
    std::string text;
};

// The notice for a job in a final state (completed, failed, retries exceeded).
JobNotice job_notice(const Job& job);

}  // namespace faxemu
