#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempMark = ".tmp-";

// Fills a temporary file beside `out` with `fill`, then makes it `out`. In
// the destination folder, so that the rename is atomic.
void in_place_of(const fs::path& out, std::optional<mode_t> mode,
                 const std::function<void(AtomicFile&)>& fill) {
    const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
    const Folder folder = [&] {
        try {
            return Folder(dir);
        } catch (const FaxError& e) {
            throw FaxError(ErrorCode::Io, out.string() + ": " + e.what());
        }
    }();
    AtomicFile file(folder.fd(), dir, out.filename().string(), mode);
    fill(file);
    file.replace(out.filename().string());
}

}  // namespace

Folder::Folder(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) {
        throw FaxError(ErrorCode::Io,
                       "cannot open folder " + dir.string() + ": " + std::strerror(errno));
    }
}

Folder::~Folder() {
    ::close(fd_);
}

AtomicFile::AtomicFile(int dir_fd, fs::path display_dir, const std::string& hint,
                       std::optional<mode_t> mode)
    : dir_fd_(dir_fd), display_dir_(std::move(display_dir)), hint_(hint) {
    static std::atomic<unsigned> serial{0};
    for (int attempt = 0; fd_ < 0 && attempt < 100; ++attempt) {
        temp_name_ = "." + hint + kTempMark + std::to_string(::getpid()) + "-" +
                     std::to_string(serial.fetch_add(1));
        fd_ = ::openat(dir_fd_, temp_name_.c_str(),
                       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode.value_or(0666));
        if (fd_ < 0 && errno != EEXIST) break;
    }
    if (fd_ < 0) fail("cannot create a temporary file", errno);
    // The umask only narrows; a configured mode is the mode.
    if (mode && ::fchmod(fd_, *mode) != 0) {
        const int error = errno;
        ::close(fd_);
        ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
        fail("cannot set the mode of " + temp_name_, error);
    }
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!placed_) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
}

void AtomicFile::write(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("cannot write " + temp_name_, n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
}

void AtomicFile::copy_from(const fs::path& from) {
    std::ifstream in(from, std::ios::binary);
    std::vector<char> buf(64 * 1024);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        write({reinterpret_cast<const std::uint8_t*>(buf.data()), n});
    }
    if (!in.eof()) fail("cannot read " + from.string(), errno);
}

void AtomicFile::sync_before_rename() {
    // Through a fresh descriptor: a writer given temp_path() (libtiff) may
    // have written through its own.
    const int fd = ::openat(dir_fd_, temp_name_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        fail("cannot write " + temp_name_, error);
    }
    ::close(fd);
}

void AtomicFile::sync_folder() {
    if (::fsync(dir_fd_) != 0) fail("cannot sync the folder", errno);
}

void AtomicFile::replace(const std::string& name) {
    sync_before_rename();
    if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name.c_str()) != 0)
        fail("cannot rename " + temp_name_ + " to " + name, errno);
    placed_ = true;
    sync_folder();
}

bool AtomicFile::create(const std::string& name) {
    sync_before_rename();
    int rc = ::renameat2(dir_fd_, temp_name_.c_str(), dir_fd_, name.c_str(), RENAME_NOREPLACE);
    bool linked = false;
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
        // A file system without RENAME_NOREPLACE (NFS, some FUSE): link()
        // also refuses an existing name; the temporary name goes after.
        rc = ::linkat(dir_fd_, temp_name_.c_str(), dir_fd_, name.c_str(), 0);
        linked = rc == 0;
    }
    if (rc != 0) {
        if (errno == EEXIST) return false;
        fail("cannot store " + name, errno);
    }
    if (linked) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
    placed_ = true;
    sync_folder();
    return true;
}

std::optional<pid_t> AtomicFile::temporary_owner(const std::string& name) {
    const auto mark = name.rfind(kTempMark);
    if (!name.starts_with('.') || mark == std::string::npos) return std::nullopt;
    const auto pid_start = mark + std::strlen(kTempMark);
    const auto dash = name.find('-', pid_start);
    if (dash == std::string::npos) return std::nullopt;
    const std::string pid = name.substr(pid_start, dash - pid_start);
    const std::string serial = name.substr(dash + 1);
    const auto digits = [](const std::string& s) {
        return !s.empty() && s.size() <= 9 &&
               s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(pid) || !digits(serial)) return std::nullopt;
    return static_cast<pid_t>(std::stol(pid));
}

[[noreturn]] void AtomicFile::fail(const std::string& what, int error) const {
    throw FaxError(ErrorCode::Io,
                   (display_dir_ / hint_).string() + ": " + what + ": " + std::strerror(error));
}

std::string store_under_free_name(int dir_fd, const fs::path& display_dir, const std::string& hint,
                                  std::optional<mode_t> mode,
                                  const std::function<void(AtomicFile&)>& fill,
                                  const std::function<std::string(int)>& name, int tries) {
    AtomicFile file(dir_fd, display_dir, hint, mode);
    fill(file);
    for (int n = 1; n <= tries; ++n) {
        if (file.create(name(n))) return name(n);
    }
    throw FaxError(ErrorCode::Io, display_dir.string() + ": no free name for " + name(1) + " (" +
                                      std::to_string(tries) + " taken)");
}

void replace_atomically(const fs::path& out, const std::function<void(const fs::path&)>& write,
                        std::optional<mode_t> mode) {
    in_place_of(out, mode, [&](AtomicFile& file) { write(file.temp_path()); });
}

void write_file_atomically(const fs::path& out, std::span<const std::uint8_t> bytes,
                           std::optional<mode_t> mode) {
    in_place_of(out, mode, [&](AtomicFile& file) { file.write(bytes); });
}

}  // namespace faxemu
