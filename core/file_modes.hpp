// The permissions of what faxd writes. Received and sent faxes are private
// papers: faxd sets their modes explicitly rather than trusting the umask it
// was started with (a umask of 022 makes them world-readable).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace faxemu {

struct FileModes {
    mode_t file = 0640;  // faxes, documents, copies in folders
    mode_t dir = 0750;   // the spool's directories, directories faxd creates
};

// Why `mode` cannot be used for faxd's files (`dir` false) or directories, or
// empty: only permission bits, and faxd itself must keep access (rw for files,
// rwx for directories).
std::string mode_problem(mode_t mode, bool dir);

// "0640".
std::string octal(mode_t mode);

// Sets `mode` on an open file; throws FaxError(Io) naming `what` on failure.
void set_mode(int fd, mode_t mode, const std::string& what);
// Sets `mode` on a path; throws FaxError(Io) naming `what` on failure.
void set_mode(const std::filesystem::path& path, mode_t mode, const std::string& what);

// Creates `dir` and any missing parents, giving each directory it creates
// `mode`; existing ones are left as they are. Throws FaxError(Io).
void make_directories(const std::filesystem::path& dir, mode_t mode);

}  // namespace faxemu
