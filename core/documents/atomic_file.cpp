#include "core/documents/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

void sync_path(const fs::path& path, int flags, const fs::path& out) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        throw FaxError(ErrorCode::Io, out.string() + ": cannot sync " + path.string() + ": " +
                                          std::strerror(error));
    }
    ::close(fd);
}

}  // namespace

void replace_atomically(const fs::path& out, const std::function<void(const fs::path&)>& write,
                        std::optional<mode_t> mode) {
    static std::atomic<unsigned> counter{0};
    // In the destination folder, so that the rename is atomic.
    const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
    fs::path temp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
        temp = dir / ("." + out.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                      std::to_string(counter++));
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        throw FaxError(ErrorCode::Io, out.string() + ": cannot create a temporary file in " +
                                          dir.string() + ": " + std::strerror(errno));
    }
    // Writers rewrite the file in place (libtiff too), so the mode set now stays.
    const bool mode_set = !mode || ::fchmod(fd, *mode) == 0;
    const int mode_error = errno;
    ::close(fd);
    if (!mode_set) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw FaxError(ErrorCode::Io, out.string() + ": cannot set the mode of " + temp.string() +
                                          ": " + std::strerror(mode_error));
    }
    try {
        write(temp);
        sync_path(temp, O_RDONLY, out);
        std::error_code ec;
        fs::rename(temp, out, ec);
        if (ec) {
            throw FaxError(ErrorCode::Io,
                           out.string() + ": cannot rename " + temp.string() + ": " + ec.message());
        }
        sync_path(dir, O_RDONLY | O_DIRECTORY, out);
    } catch (...) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw;
    }
}

void write_file_atomically(const fs::path& out, std::span<const std::uint8_t> bytes,
                           std::optional<mode_t> mode) {
    replace_atomically(
        out,
        [&](const fs::path& temp) {
            const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
            std::size_t done = 0;
            while (fd >= 0 && done < bytes.size()) {
                const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                done += static_cast<std::size_t>(n);
            }
            const int error = errno;
            if (fd >= 0) ::close(fd);
            if (done != bytes.size())
                throw FaxError(ErrorCode::Io,
                               out.string() + ": cannot write: " + std::strerror(error));
        },
        mode);
}

}  // namespace faxemu
