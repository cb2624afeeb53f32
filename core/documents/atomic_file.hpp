// Files that appear whole or not at all, even across a crash: written to a
// temporary file in the destination folder, fsynced, renamed over the
// destination, and the folder fsynced. Converted documents and uploads are
// stored this way (the spool's promise: nothing acknowledged is lost).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>

namespace faxemu {

// Calls `write(temp)` to fill a fresh temporary file beside `out`, then makes
// it `out` atomically. The temporary file is removed if anything throws.
// `mode`: the file's permissions, set whatever the umask (none: 0666 less the
// umask). Throws FaxError(Io) naming `out`, or what `write` throws.
void replace_atomically(const std::filesystem::path& out,
                        const std::function<void(const std::filesystem::path& temp)>& write,
                        std::optional<mode_t> mode = std::nullopt);

// replace_atomically with `bytes` as the content.
void write_file_atomically(const std::filesystem::path& out, std::span<const std::uint8_t> bytes,
                           std::optional<mode_t> mode = std::nullopt);

}  // namespace faxemu
