#include "devices/serial/uucp_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/error.hpp"

namespace faxemu {

namespace {

// The pid in a lock file: HDB's ten ASCII digits, or (old UUCP) a binary int.
std::optional<pid_t> read_pid(const std::filesystem::path& path, bool& unreadable) {
    unreadable = false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;  // gone meanwhile
    char buf[64];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) {
        unreadable = true;
        return std::nullopt;
    }
    buf[n] = '\0';
    char* end = nullptr;
    const long v = std::strtol(buf, &end, 10);
    if (end != buf && v > 0) return static_cast<pid_t>(v);
    if (n == static_cast<ssize_t>(sizeof(int))) {  // binary pid (Version 2 UUCP)
        int bin = 0;
        std::memcpy(&bin, buf, sizeof bin);
        if (bin > 0) return static_cast<pid_t>(bin);
    }
    unreadable = true;
    return std::nullopt;
}

bool alive(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

}  // namespace

std::filesystem::path UucpLock::default_lock_dir() {
    return "/var/lock";
}

std::string UucpLock::lock_name(const std::filesystem::path& device) {
    const std::string s = device.lexically_normal().string();
    const std::string dev = "/dev/";
    std::string name;
    if (s.rfind(dev, 0) == 0) {
        name = s.substr(dev.size());
        for (char& c : name)
            if (c == '/') c = '_';
    } else {
        name = device.filename().string();
    }
    return "LCK.." + name;
}

std::optional<pid_t> UucpLock::holder(const std::filesystem::path& device,
                                      const std::filesystem::path& lock_dir) {
    bool unreadable = false;
    const auto pid = read_pid(lock_dir / lock_name(device), unreadable);
    if (pid && alive(*pid)) return pid;
    return std::nullopt;
}

UucpLock UucpLock::acquire(const std::filesystem::path& device,
                           const std::filesystem::path& lock_dir) {
    const std::filesystem::path path = lock_dir / lock_name(device);
    const pid_t self = ::getpid();
    // The whole content under a private name first, then link(): atomic, and the
    // lock never exists half-written.
    const std::filesystem::path temp =
        lock_dir / ("LTMP." + std::to_string(self) + "." + lock_name(device).substr(5));
    {
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            throw FaxError(ErrorCode::Io, "cannot lock " + device.string() + ": cannot write in " +
                                              lock_dir.string() + ": " + errno_text(errno));
        char text[16];
        std::snprintf(text, sizeof text, "%10d\n", static_cast<int>(self));
        const ssize_t want = static_cast<ssize_t>(std::strlen(text));
        const bool written = ::write(fd, text, static_cast<std::size_t>(want)) == want;
        const int err = errno;
        ::close(fd);
        if (!written) {
            ::unlink(temp.c_str());
            throw FaxError(ErrorCode::Io, "cannot lock " + device.string() + ": cannot write " +
                                              temp.string() + ": " + errno_text(err));
        }
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (::link(temp.c_str(), path.c_str()) == 0) {
            ::unlink(temp.c_str());
            return UucpLock(device, path);
        }
        const int err = errno;
        if (err != EEXIST) {
            ::unlink(temp.c_str());
            throw FaxError(ErrorCode::Io, "cannot lock " + device.string() + ": cannot create " +
                                              path.string() + ": " + errno_text(err));
        }
        bool unreadable = false;
        const auto pid = read_pid(path, unreadable);
        if (pid && alive(*pid)) {
            ::unlink(temp.c_str());
            const std::string who = *pid == self ? " (this process)" : "";
            throw FaxError(ErrorCode::DeviceInUse, device.string() + " is locked by pid " +
                                                       std::to_string(*pid) + who + " (" +
                                                       path.string() + ")");
        }
        // Stale (dead pid) or not a lock we understand: remove it and try again.
        ::unlink(path.c_str());
    }
    ::unlink(temp.c_str());
    throw FaxError(ErrorCode::DeviceInUse,
                   "cannot lock " + device.string() + ": " + path.string() + " keeps reappearing");
}

UucpLock::UucpLock(UucpLock&& other) noexcept
    : device_(std::move(other.device_)), path_(std::move(other.path_)) {
    other.path_.clear();
}

UucpLock& UucpLock::operator=(UucpLock&& other) noexcept {
    if (this != &other) {
        release();
        device_ = std::move(other.device_);
        path_ = std::move(other.path_);
        other.path_.clear();
    }
    return *this;
}

UucpLock::~UucpLock() {
    release();
}

void UucpLock::release() {
    if (path_.empty()) return;
    bool unreadable = false;
    const auto pid = read_pid(path_, unreadable);
    // Only our own lock: someone may have broken it and taken the device.
    if (pid && *pid == ::getpid()) ::unlink(path_.c_str());
    path_.clear();
}

}  // namespace faxemu
