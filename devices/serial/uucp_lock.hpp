// UUCP (HDB) lock files, so faxemu shares a modem with mgetty, efax, minicom, cu...
//
// The lock for /dev/ttyS0 is <lock dir>/LCK..ttyS0 holding the owner's pid as ten
// ASCII characters (right-aligned, space padded) and a newline. Creation is atomic:
// the complete file is written under a temporary name and link()ed into place, so
// nobody ever sees a half-written lock. A lock whose pid is dead (or whose content is
// not a pid) is stale and is removed; a live holder is refused.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace faxemu {

class UucpLock {
  public:
    // /var/lock, where Debian's mgetty, efax and minicom look.
    static std::filesystem::path default_lock_dir();

    // "LCK..ttyS0" for /dev/ttyS0; a device in a subfolder of /dev gets its path
    // below /dev with '/' replaced by '_' ("/dev/pts/3" -> "LCK..pts_3"); anything
    // else (a symlink such as /tmp/ttyFAX0) gets its file name. The name of the path
    // as given is locked, not of a symlink's target (as mgetty and efax do).
    static std::string lock_name(const std::filesystem::path& device);

    // Takes the lock for `device`. Throws FaxError:
    //  - ErrorCode::DeviceInUse when a live process holds it; the message names the
    //    device and the pid ("/dev/ttyS0 is locked by pid 1234 (/var/lock/LCK..ttyS0)");
    //  - ErrorCode::Io when the lock dir cannot be written (message names it).
    static UucpLock acquire(const std::filesystem::path& device,
                            const std::filesystem::path& lock_dir = default_lock_dir());

    // The live pid holding the lock for `device`, if any (stale locks report none
    // and are left in place).
    static std::optional<pid_t> holder(const std::filesystem::path& device,
                                       const std::filesystem::path& lock_dir = default_lock_dir());

    UucpLock() = default;  // holds nothing
    UucpLock(UucpLock&& other) noexcept;
    UucpLock& operator=(UucpLock&& other) noexcept;
    UucpLock(const UucpLock&) = delete;
    UucpLock& operator=(const UucpLock&) = delete;
    ~UucpLock();  // release()

    // Removes the lock file if it still carries our pid. Idempotent.
    void release();
    bool held() const { return !path_.empty(); }
    const std::filesystem::path& path() const { return path_; }
    const std::filesystem::path& device() const { return device_; }

  private:
    UucpLock(std::filesystem::path device, std::filesystem::path path)
        : device_(std::move(device)), path_(std::move(path)) {}

    std::filesystem::path device_;
    std::filesystem::path path_;
};

}  // namespace faxemu
