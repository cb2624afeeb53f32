// What `faxctl send` and `faxctl job alter` both say about a job's schedule
// (--at, --port, --priority; alter also --number and --retries), read once
// and turned into the params of job.submit or job.alter.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/faxctl/output.hpp"

namespace faxemu::faxctl {

struct ScheduleOptions {
    std::optional<std::string> at;
    std::vector<std::string> ports;
    std::optional<std::int32_t> priority;
    std::optional<std::string> number;    // job alter only
    std::optional<std::int32_t> retries;  // job alter only

    // --at, --port and --priority on `cmd`.
    void add_to(CLI::App* cmd);
    // --number and --retries too, for job alter.
    void add_alter_options(CLI::App* cmd);
    // The params they set (none set: an empty object). Throws
    // std::invalid_argument for an --at faxctl cannot read or that has passed.
    json params() const;
};

}  // namespace faxemu::faxctl
