#include "core/file_modes.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <vector>

#include "core/error.hpp"

namespace faxemu {

std::string mode_problem(mode_t mode, bool dir) {
    if (mode & ~mode_t{0777})
        return "only permission bits (0 to 0777) are allowed, not " + octal(mode);
    const mode_t needed = dir ? 0700 : 0600;
    if ((mode & needed) != needed)
        return octal(mode) + " would lock faxd out; the owner needs " + (dir ? "rwx" : "rw");
    return {};
}

std::string octal(mode_t mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode));
    return buf;
}

void set_mode(int fd, mode_t mode, const std::string& what) {
    if (::fchmod(fd, mode) != 0)
        throw FaxError(ErrorCode::Io, what + ": cannot set mode " + octal(mode) + ": " +
                                          std::generic_category().message(errno));
}

void set_mode(const std::filesystem::path& path, mode_t mode, const std::string& what) {
    if (::chmod(path.c_str(), mode) != 0)
        throw FaxError(ErrorCode::Io, what + ": cannot set mode " + octal(mode) + ": " +
                                          std::generic_category().message(errno));
}

void make_directories(const std::filesystem::path& dir, mode_t mode) {
    std::vector<std::filesystem::path> missing;
    std::error_code ec;
    for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), mode) != 0) {
            if (errno == EEXIST) continue;  // made meanwhile by someone else: theirs
            throw FaxError(ErrorCode::Io, it->string() + ": cannot create the directory: " +
                                              std::generic_category().message(errno));
        }
        set_mode(*it, mode, it->string());  // mkdir's mode passed through the umask
    }
}

}  // namespace faxemu
