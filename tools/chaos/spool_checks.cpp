#include "tools/chaos/spool_checks.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <memory>

namespace faxemu::chaos {

namespace {

namespace fs = std::filesystem;

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

Db open_db(const fs::path& file, std::string& error) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    Db db(raw, &sqlite3_close);
    if (rc != SQLITE_OK) {
        error = file.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        return Db(nullptr, &sqlite3_close);
    }
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

bool temporary_name(const std::string& name) {
    return name.starts_with(".") || name.find(".tmp") != std::string::npos ||
           name.ends_with(".recovered");
}

}  // namespace

std::string integrity_check(const fs::path& db_file) {
    if (!fs::exists(db_file)) return db_file.string() + " does not exist";
    std::string error;
    Db db = open_db(db_file, error);
    if (!db) return error;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check", -1, &st, nullptr) != SQLITE_OK)
        return sqlite3_errmsg(db.get());
    std::string result;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!result.empty()) result += "; ";
        result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    if (rc != SQLITE_DONE)
        result += std::string(result.empty() ? "" : "; ") + sqlite3_errmsg(db.get());
    sqlite3_finalize(st);
    return result;
}

std::map<std::int64_t, std::string> received_files(const fs::path& db_file) {
    std::map<std::int64_t, std::string> files;
    std::string error;
    Db db = open_db(db_file, error);
    if (!db) return files;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), "SELECT id, file FROM received", -1, &st, nullptr) !=
        SQLITE_OK)
        return files;
    while (sqlite3_step(st) == SQLITE_ROW)
        files[sqlite3_column_int64(st, 0)] =
            reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return files;
}

std::vector<std::string> leftover_files(const fs::path& spool,
                                        const std::vector<std::string>& known_received) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(spool, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const fs::path& p = it->path();
        if (it->is_directory()) continue;
        const std::string rel = fs::relative(p, spool).string();
        const std::string name = p.filename().string();
        if (rel.starts_with("tmp/") || temporary_name(name)) {
            found.push_back(rel);
        } else if (rel.starts_with("received/") &&
                   std::find(known_received.begin(), known_received.end(), p.string()) ==
                       known_received.end()) {
            found.push_back(rel + " (no received fax names it)");
        }
    }
    return found;
}

std::vector<std::string> leftover_files_in_folder(const fs::path& folder) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (temporary_name(e.path().filename().string())) found.push_back(e.path().string());
    return found;
}

std::uint64_t file_hash(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return 0;
    std::uint64_t h = 14695981039346656037ull;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            h ^= static_cast<unsigned char>(buf[i]);
            h *= 1099511628211ull;
        }
    }
    return h;
}

}  // namespace faxemu::chaos
