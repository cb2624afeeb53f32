// Windows folder names on a Linux faxd. Legacy clients set ArchiveDirectory and
// "store in a folder" RoutingData to `C:\faxes` or `\\server\share`: folders of
// the Windows fax server. On Linux such a name is a relative file name with
// backslashes in it, and would be created literally in faxd's working
// directory. The operator maps Windows folders to local ones in faxd's config
// ([faxcom] drive_map); anything Windows that no entry maps is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faxemu {

struct DriveMapping {
    std::string windows;  // "C:\faxes" or "\\server\share\faxes"
    std::string local;    // "/srv/fax"
    bool operator==(const DriveMapping&) const = default;
};

// Whether `path` is a Windows path: drive-absolute (`C:\x`, `C:/x`),
// drive-relative (`C:x`, `C:`) or UNC (`\\server\share`), or holds a backslash
// in a relative name (`faxes\in`).
bool is_windows_path(std::string_view path);

class DriveMap {
  public:
    // The configuration key that holds the map, named in refusals.
    static constexpr std::string_view kConfigKey = "faxcom.drive_map";

    DriveMap() = default;  // maps nothing
    // Throws std::invalid_argument naming an entry whose Windows side is not a
    // drive-absolute or UNC folder, or whose local side is not absolute.
    explicit DriveMap(std::vector<DriveMapping> entries);

    // `path` as a local path: unchanged unless it is a Windows path; mapped
    // through the longest entry that holds it (drive letter and names
    // case-insensitive, `\` and `/` alike, whole names only); else "" with
    // `why` saying why, naming `what` (e.g. "server setting ArchiveDirectory").
    std::string to_local(std::string_view path, std::string_view what, std::string& why) const;

    const std::vector<DriveMapping>& entries() const { return entries_; }

  private:
    std::vector<DriveMapping> entries_;
};

}  // namespace faxemu
