// A job as a person reads it in faxctl: `job show` as a short record of what
// matters (status in words, the port by name, local times), and one line for
// what `job pause|resume|...` did. Status words are faxd's (queue_status_text,
// core/job.cpp); faxctl names no status of its own.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tools/faxctl/output.hpp"

namespace faxemu::faxctl {

// device_id → port name, from ports.list.
std::map<std::int64_t, std::string> port_names(const json& ports);

// The port a job is on or was last on, by name; empty when it had none.
std::string port_of(const json& job, const std::map<std::int64_t, std::string>& ports);

// job.get's answer: a heading line, then "field: value" lines for the fields
// that say something, then one line per attempt.
void print_job(const json& job, const std::map<std::int64_t, std::string>& ports, bool utc);

// "job 12 paused", "job 12 resumed: Pending": what `job ACTION` did.
std::string job_command_line(const std::string& action, const json& job);

// "job 12 changed: to 5550199, not before 2026-12-08 09:00:00 CET": what
// `job alter` changed (the members of `asked`, job.alter's params), as the
// job now has them.
std::string job_alter_line(const json& asked, const json& job, bool utc);

}  // namespace faxemu::faxctl
