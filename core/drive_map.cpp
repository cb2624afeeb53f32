#include "core/drive_map.hpp"

#include <cctype>
#include <stdexcept>

#include "core/client_text.hpp"

namespace faxemu {

namespace {

bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_sep(char c) {
    return c == '\\' || c == '/';
}
bool drive_absolute(std::string_view p) {
    return p.size() >= 3 && is_letter(p[0]) && p[1] == ':' && is_sep(p[2]);
}
bool drive_relative(std::string_view p) {
    return p.size() >= 2 && is_letter(p[0]) && p[1] == ':' && !drive_absolute(p);
}
bool unc(std::string_view p) {
    return p.size() >= 2 && p[0] == '\\' && p[1] == '\\';
}

// The names of a Windows path, separators dropped, lower-cased with `fold`:
// "C:\A\b\" is {"c:", "a", "b"}; "\\srv\Share" is {"\\", "srv", "share"}.
std::vector<std::string> names_of(std::string_view p, bool fold = true) {
    std::vector<std::string> out;
    if (unc(p)) {
        out.emplace_back("\\\\");
        p.remove_prefix(2);
    }
    std::string name;
    for (char c : p) {
        if (is_sep(c)) {
            if (!name.empty()) out.push_back(std::move(name));
            name.clear();
        } else {
            name += fold ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
        }
    }
    if (!name.empty()) out.push_back(std::move(name));
    return out;
}

}  // namespace

bool is_windows_path(std::string_view path) {
    if (drive_absolute(path) || drive_relative(path) || unc(path)) return true;
    return !path.empty() && path.front() != '/' && path.find('\\') != std::string_view::npos;
}

DriveMap::DriveMap(std::vector<DriveMapping> entries) : entries_(std::move(entries)) {
    for (const DriveMapping& e : entries_) {
        if (!drive_absolute(e.windows) && !(unc(e.windows) && names_of(e.windows).size() >= 3))
            throw std::invalid_argument(
                quoted_excerpt(e.windows) +
                " is not a Windows folder: give a drive letter (\"C:\\\\faxes\") or a share "
                "(\"\\\\\\\\server\\\\share\")");
        if (e.local.empty() || e.local.front() != '/')
            throw std::invalid_argument("the folder " + quoted_excerpt(e.windows) +
                                        " maps to must be an absolute path, not " +
                                        quoted_excerpt(e.local));
    }
}

std::string DriveMap::to_local(std::string_view path, std::string_view what,
                               std::string& why) const {
    why.clear();
    if (!is_windows_path(path)) return std::string(path);
    const std::string given = quoted_excerpt(path);
    if (drive_relative(path)) {
        why = std::string(what) + " " + given +
              " is relative to the current folder of a Windows drive, which names nothing on "
              "faxd's host; give a full path (\"C:\\...\" mapped in " +
              std::string(kConfigKey) + ", or a folder of faxd's host such as \"/srv/fax\")";
        return {};
    }
    if (!drive_absolute(path) && !unc(path)) {
        why = std::string(what) + " " + given +
              " is a relative Windows path; give an absolute folder of faxd's host (such as "
              "\"/srv/fax\")";
        return {};
    }
    const std::vector<std::string> names = names_of(path);
    const DriveMapping* best = nullptr;
    std::size_t best_size = 0;
    for (const DriveMapping& e : entries_) {
        const std::vector<std::string> prefix = names_of(e.windows);
        if (prefix.size() > names.size() || prefix.size() <= best_size) continue;
        if (std::equal(prefix.begin(), prefix.end(), names.begin())) {
            best = &e;
            best_size = prefix.size();
        }
    }
    if (!best) {
        why = std::string(what) + " " + given +
              " is a Windows path, which names no folder on faxd's host (a Linux system); give "
              "a folder of faxd's host (such as \"/srv/fax\"), or ask its operator to map the "
              "Windows folder in faxd's config: [faxcom] drive_map = { \"C:\\\\faxes\" = "
              "\"/srv/fax\" }";
        return {};
    }
    // The rest keeps its case: the local file system is case-sensitive.
    const std::vector<std::string> rest = names_of(path, false);
    std::string out = best->local;
    for (std::size_t i = best_size; i < rest.size(); ++i) {
        if (rest[i] == "..") {
            why = std::string(what) + " " + given + " climbs out of its mapped folder with \"..\"";
            return {};
        }
        if (out.back() != '/') out += '/';
        out += rest[i];
    }
    return out;
}

}  // namespace faxemu
