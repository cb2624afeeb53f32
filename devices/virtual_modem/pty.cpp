#include "devices/virtual_modem/pty.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace faxemu {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

Pty::Pty(std::filesystem::path link) {
    const std::string name = link.empty() ? std::string("pty") : "pty " + link.string();
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0) fail(name + ": posix_openpt");
    try {
        if (::grantpt(master_) != 0) fail(name + ": grantpt");
        if (::unlockpt(master_) != 0) fail(name + ": unlockpt");
        char path[256];
        if (::ptsname_r(master_, path, sizeof path) != 0) fail(name + ": ptsname");
        slave_path_ = path;
        // Our own slave descriptor keeps the line alive between host sessions.
        slave_ = ::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave_ < 0) fail(name + ": open " + slave_path_.string());
        termios tio{};
        if (::tcgetattr(slave_, &tio) != 0) fail(name + ": tcgetattr");
        ::cfmakeraw(&tio);  // no echo of our output back into the AT parser
        if (::tcsetattr(slave_, TCSANOW, &tio) != 0) fail(name + ": tcsetattr");
        const int flags = ::fcntl(master_, F_GETFL);
        if (flags < 0 || ::fcntl(master_, F_SETFL, flags | O_NONBLOCK) != 0)
            fail(name + ": non-blocking master");
        if (!link.empty()) {
            std::error_code ec;
            const auto st = std::filesystem::symlink_status(link, ec);
            if (std::filesystem::exists(st)) {
                if (!std::filesystem::is_symlink(st)) {
                    errno = EEXIST;
                    fail("pty: " + link.string() +
                         " exists and is not a symlink; refusing to replace it");
                }
                std::filesystem::remove(link);  // stale, from an earlier run
            }
            std::filesystem::create_symlink(slave_path_, link);
            link_ = link;
        }
    } catch (...) {
        if (slave_ >= 0) ::close(slave_);
        ::close(master_);
        throw;
    }
}

Pty::~Pty() {
    if (!link_.empty()) {
        std::error_code ec;
        if (std::filesystem::read_symlink(link_, ec) == slave_path_ && !ec)
            std::filesystem::remove(link_, ec);
    }
    if (slave_ >= 0) ::close(slave_);
    if (master_ >= 0) ::close(master_);
}

}  // namespace faxemu
