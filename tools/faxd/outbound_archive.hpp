// ArchiveOutboundFaxes: a copy of each fax sent whole, tagged for FaxTiff
// (fax_tiff_tags.hpp), kept in ArchiveDirectory under a name of faxd's own
// (job-N.tif, job-N-2.tif, …): the folder is the operator's, so nothing there
// is ever replaced, and a copy appears whole or not at all.
#pragma once

#include <filesystem>
#include <string>

#include "core/clock.hpp"
#include "core/file_modes.hpp"
#include "core/job.hpp"

namespace faxemu::faxd {

// What the call that delivered `job` sent and met.
struct SentCall {
    std::string tsid;          // the TSID the call sent (the job's or the port's)
    std::string remote_ident;  // the CSID the far end answered with
    TimePoint start;           // when the call began
};

// Copies `job`'s document into `dir`, tagged first in `work_dir` (the spool's
// tmp, which start-up empties). Failures are logged, not thrown: the fax has
// been sent either way.
void archive_sent_fax(const Job& job, const SentCall& call, const std::filesystem::path& dir,
                      const std::filesystem::path& work_dir, const FileModes& modes);

}  // namespace faxemu::faxd
