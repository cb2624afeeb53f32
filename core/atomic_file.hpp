// Files that appear whole or not at all, even across a crash: written to a
// hidden temporary file in the destination folder, fsynced, renamed into place,
// and the folder fsynced. Everything faxd promises to keep (uploads, converted
// documents, received and recovered faxes, routed copies, the users file) is
// written this way, through this one file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace faxemu {

// A folder held open by descriptor, for AtomicFile. Throws FaxError(Io)
// naming `dir` if it cannot be opened.
class Folder {
  public:
    explicit Folder(const std::filesystem::path& dir);
    ~Folder();
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

// One file being written. The temporary file is created at once (mode `mode`
// from the start, whatever the umask, so a private file is never readable by
// others even briefly; none: 0666 less the umask) and removed again unless
// replace() or create() puts it in place. Errors throw FaxError(Io) naming
// `display_dir`/`hint`.
class AtomicFile {
  public:
    // In the folder `dir_fd` (kept open by the caller: a descriptor, so the
    // folder cannot be swapped for a symlink meanwhile), shown as
    // `display_dir` in errors and in temp_path(). `hint` goes into the
    // temporary name so a stray one says whose it was.
    AtomicFile(int dir_fd, std::filesystem::path display_dir, const std::string& hint,
               std::optional<mode_t> mode = std::nullopt);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // Open for writing; for writers that need a name (libtiff), temp_path().
    int fd() const { return fd_; }
    std::filesystem::path temp_path() const { return display_dir_ / temp_name_; }
    // Writes all of `bytes` at the current position.
    void write(std::span<const std::uint8_t> bytes);
    // Writes the whole content of the file `from`.
    void copy_from(const std::filesystem::path& from);

    // Makes the file `name` in the folder, replacing any file of that name.
    void replace(const std::string& name);
    // Makes the file `name` only if no file of that name exists (never
    // replaces, not even a symlink); false if one does.
    bool create(const std::string& name);

    // Temporary files are named ".<hint>.tmp-<pid>-<serial>": the process
    // that made `name`, if it is such a name (a crash leaves them behind).
    static std::optional<pid_t> temporary_owner(const std::string& name);

  private:
    void sync_before_rename();
    void sync_folder();
    [[noreturn]] void fail(const std::string& what, int error) const;

    int dir_fd_;
    std::filesystem::path display_dir_;
    std::string hint_;
    std::string temp_name_;
    int fd_ = -1;
    bool placed_ = false;
};

// Fills a new file with `fill` in the folder `dir_fd` (see AtomicFile), then
// stores it as the first of name(1), name(2), … up to name(tries) that does
// not exist yet, never replacing a file. Returns that name; throws
// FaxError(Io) if every name is taken.
std::string store_under_free_name(int dir_fd, const std::filesystem::path& display_dir,
                                  const std::string& hint, std::optional<mode_t> mode,
                                  const std::function<void(AtomicFile&)>& fill,
                                  const std::function<std::string(int n)>& name, int tries);

// Calls `write(temp)` to fill a fresh temporary file beside `out`, then makes
// it `out` atomically. The temporary file is removed if anything throws.
void replace_atomically(const std::filesystem::path& out,
                        const std::function<void(const std::filesystem::path& temp)>& write,
                        std::optional<mode_t> mode = std::nullopt);

// replace_atomically with `bytes` as the content.
void write_file_atomically(const std::filesystem::path& out, std::span<const std::uint8_t> bytes,
                           std::optional<mode_t> mode = std::nullopt);

}  // namespace faxemu
