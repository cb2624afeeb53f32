// Files that appear whole or not at all, even across a crash: written to a
// temporary file in the destination folder, fsynced, renamed over the
// destination, and the folder fsynced. Converted documents and uploads are
// stored this way (the spool's promise: nothing acknowledged is lost).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>

namespace faxemu {

// Calls `write(temp)` to fill a fresh temporary file beside `out`, then makes
// it `out` atomically. The temporary file is removed if anything throws.
// Throws FaxError(Io) naming `out`, or what `write` throws.
void replace_atomically(const std::filesystem::path& out,
                        const std::function<void(const std::filesystem::path& temp)>& write);

// replace_atomically with `bytes` as the content.
void write_file_atomically(const std::filesystem::path& out, std::span<const std::uint8_t> bytes);

}  // namespace faxemu
