#include "tools/faxctl/conversion_progress.hpp"

#include <fmt/format.h>

namespace faxemu::faxctl {

void ConversionProgressLine::show(const rpc::json& job) {
    if (!job.contains("conversion")) return;  // nothing done yet to tell of
    const std::string line = fmt::format("job {}: {}", job.value("job_id", std::int64_t{0}),
                                         job.value("queue_status_text", ""));
    if (line == shown_) return;
    if (rewrite_) {
        // \r back to the line's start, ESC[K clears what a longer line left.
        fmt::print(out_, "\r{}\x1b[K", line);
        open_line_ = true;
    } else {
        fmt::print(out_, "{}\n", line);
    }
    std::fflush(out_);
    shown_ = line;
}

void ConversionProgressLine::finish() {
    if (!open_line_) return;
    fmt::print(out_, "\n");
    std::fflush(out_);
    open_line_ = false;
}

}  // namespace faxemu::faxctl
