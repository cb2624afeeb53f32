// The judgement of a trial once faxd has settled after its last restart: the
// jobs faxd reports against what the receiving ports recorded (the received
// faxes and the pages in their files), and the receptions seen complete
// before a kill against what is there now.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/protocol/json_rpc.hpp"

namespace faxemu::chaos {

using rpc::json;

// A job the trial submitted.
struct Submission {
    std::uint32_t mark = 0;  // PageMark::submission of its pages
    std::string tsid;        // unique per submission: how a reception names its sender
    std::int32_t pages = 0;
    bool acknowledged = false;  // job.submit answered
    std::int64_t job_id = 0;    // from the answer
};

// A reception seen completed (received.changed, status "completed") before a kill.
struct SeenReception {
    std::int64_t id = 0;
    std::string file;
    std::uint64_t hash = 0;  // of the file right after the kill
};

struct Verdict {
    int jobs = 0;                  // acknowledged jobs
    int lost = 0;                  // acknowledged jobs missing, completed jobs missing pages,
                                   // completed receptions missing or changed
    int duplicated = 0;            // pages or folder copies delivered twice beyond a crash's doing
    int false_failures = 0;        // jobs failed although the receiver has every page
    int unsettled = 0;             // jobs not final, attempts left open
    int unrecorded_calls = 0;      // calls the receiver saw that no attempt records
    int receptions = 0;            // calls the receiving ports recorded
    int pages_received = 0;        // marked pages found in their files
    int receptions_rechecked = 0;  // seen complete before a kill, compared after
    std::vector<std::string> problems;  // one line each, for the report
};

struct SettledState {
    std::vector<json> jobs;                     // job.get of every job (with attempts)
    std::vector<json> received;                 // received.list
    std::map<std::int64_t, std::string> files;  // received fax id -> file
    std::vector<std::string> inbox;             // files in the routing folder (names)
};

Verdict judge(const std::vector<Submission>& submissions, const std::vector<SeenReception>& seen,
              const SettledState& state);

}  // namespace faxemu::chaos
