// A pseudo-terminal for a virtual modem. We open the slave ourselves and keep it
// open (raw, no echo), so the master never reads EIO while no host has the device
// open, and a host that closes and reopens it finds the same line. An optional
// stable symlink (e.g. /tmp/ttyFAX0) names the slave for hosts.
#pragma once

#include <filesystem>

namespace faxemu {

class Pty {
  public:
    // Throws std::system_error naming the link (or "pty") on failure. An existing
    // symlink at `link` is replaced (a stale one from an earlier run); anything
    // else there is refused.
    explicit Pty(std::filesystem::path link = {});
    ~Pty();  // removes the symlink (only if it still points at our slave)
    Pty(const Pty&) = delete;
    Pty& operator=(const Pty&) = delete;

    // The master, non-blocking. Owned by the Pty.
    int master_fd() const { return master_; }
    // The slave device, e.g. /dev/pts/7.
    const std::filesystem::path& slave_path() const { return slave_path_; }
    // The symlink if one was asked for, else the slave.
    std::filesystem::path device_path() const { return link_.empty() ? slave_path_ : link_; }

  private:
    int master_ = -1;
    int slave_ = -1;
    std::filesystem::path slave_path_;
    std::filesystem::path link_;
};

}  // namespace faxemu
