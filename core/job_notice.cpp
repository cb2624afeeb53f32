#include "core/job_notice.hpp"

namespace faxemu {

JobNotice job_notice(const Job& job) {
    const bool done = job.state == JobState::Completed;
    const std::string id = std::to_string(job.id);
    JobNotice n;
    n.subject = "Fax job " + id + " to " + job.fax_number + (done ? ": sent" : ": failed");
    std::string& t = n.text;
    if (done)
        t += "Your fax to " + job.fax_number + " was sent.\n\n";
    else
        t += "Your fax to " + job.fax_number + " could not be sent.\n\n";
    t += "Job:       " + id + "\n";
    t += "Document:  " + job.display_name + "\n";
    t += "To:        " + job.fax_number +
         (job.recipient_name.empty() ? "" : " (" + job.recipient_name + ")") + "\n";
    t += "Pages:     " + std::to_string(job.pages_sent) + " of " + std::to_string(job.page_count) +
         " sent\n";
    t += "Attempts:  " + std::to_string(job.attempts) + "\n";
    t += "Result:    " + queue_status_string(job.state) + "\n";
    if (!done && !job.last_error.empty()) t += "Reason:    " + job.last_error + "\n";
    return n;
}

}  // namespace faxemu
