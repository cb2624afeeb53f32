// One chaos trial: faxd (the real binary) on simulated ports with a spool in a
// fresh temporary folder; jobs submitted over the control protocol; faxd
// killed with SIGKILL when it reaches a chosen instant, restarted on the same
// spool, killed again or left to settle; then everything checked (verdict.hpp,
// spool_checks.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/chaos/verdict.hpp"

namespace faxemu::chaos {

// Where a kill lands. Each trial's first kill takes the next instant in this
// order, so a few trials cover them all; later kills take one at random.
enum class Instant {
    AfterSubmit,     // right after job.submit is answered
    Dialing,         // a sending port shows Dialing
    MidPage,         // a uniformly random time into page N on the line
    BetweenPages,    // a page was confirmed (MCF) and more follow
    AllPagesSent,    // the last page was confirmed, the job not yet done
    AfterReception,  // a reception was reported complete
    Routing,         // the folder routing method started writing its copy
    Random,          // a uniformly random delay after the jobs were submitted
};
inline constexpr int kInstants = 8;
const char* to_string(Instant i);

struct TrialOptions {
    std::filesystem::path faxd;  // the binary
    std::filesystem::path work;  // parent of the trial's temporary folder
    double speed = 20;           // the virtual line: times real time
    bool keep = false;           // keep the trial's folder (spool, logs) even when it passed
    bool verbose = false;
};

struct TrialReport {
    Verdict verdict;
    std::vector<std::string> kills;     // what each kill hit
    std::vector<std::string> failures;  // integrity, temporary files, faxd not starting
    std::filesystem::path folder;       // kept when something failed
    double seconds = 0;
};

// `number` counts from 1; `seed` makes the plan (jobs, pages, instants, delays).
TrialReport run_trial(int number, std::uint64_t seed, const TrialOptions& options);

}  // namespace faxemu::chaos
