// What the chaos trials look at on disk, beside faxd's own answers: the
// spool's SQLite file (integrity, where each received fax is stored), files a
// crash may leave behind, and the bytes of received faxes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace faxemu::chaos {

// "ok", or what `PRAGMA integrity_check` reported (or why the file would not open).
std::string integrity_check(const std::filesystem::path& db);

// The file of each received fax by id, read from the spool's database.
std::map<std::int64_t, std::string> received_files(const std::filesystem::path& db);

// Files a crash could leave and a recovery must remove: temporary names (a
// leading dot, ".tmp", ".recovered"), anything in the spool's tmp/ folder, and
// received TIFFs that no received fax names. `known_received` is every file
// the database names. SQLite's own -wal/-shm files and the socket are not
// leftovers.
std::vector<std::string> leftover_files(const std::filesystem::path& spool,
                                        const std::vector<std::string>& known_received);
// Temporary names in a routing folder (the folder method writes ".fax-*.tmp" first).
std::vector<std::string> leftover_files_in_folder(const std::filesystem::path& folder);

// FNV-1a 64 of a file's bytes; 0 for a file that cannot be read.
std::uint64_t file_hash(const std::filesystem::path& file);

}  // namespace faxemu::chaos
