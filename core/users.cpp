#include "core/users.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace {

using json = nlohmann::json;

void ensure_sodium() {
    static const int ready = sodium_init();  // thread-safe once; 1 means "already done"
    if (ready < 0) throw FaxError(ErrorCode::Io, "libsodium cannot be initialised");
}

FaxError bad_field(const std::filesystem::path& file, const std::string& field,
                   const std::string& what) {
    return FaxError(ErrorCode::InvalidParameter, file.string() + ": " + field + ": " + what);
}

// nlohmann prefixes "[json.exception.parse_error.101] "; the rest names line and column.
std::string without_exception_tag(const char* what) {
    std::string text = what;
    if (!text.empty() && text.front() == '[') {
        const auto end = text.find("] ");
        if (end != std::string::npos) text.erase(0, end + 2);
    }
    return text;
}

// Made once, on the first unknown user, so that such a login is as slow as a real one.
const std::string& dummy_hash();

}  // namespace

CallerRights UsersFile::rights_of(std::string_view role) {
    if (role == "viewer") return CallerRights::viewer();
    if (role == "sender") return CallerRights::sender();
    if (role == "admin") return CallerRights::admin();
    throw FaxError(ErrorCode::InvalidParameter,
                   "unknown role \"" + std::string(role) + "\" (viewer, sender or admin)");
}

bool UsersFile::is_role(std::string_view role) {
    return role == "viewer" || role == "sender" || role == "admin";
}

UsersFile UsersFile::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw FaxError(ErrorCode::Io,
                       "cannot read users file " + file.string() + ": " + std::strerror(errno));
    }
    std::error_code ec;
    const auto mode = std::filesystem::status(file, ec).permissions();
    using std::filesystem::perms;
    if (!ec && (mode & (perms::group_read | perms::others_read)) != perms::none) {
        spdlog::warn("users file {} is readable by group or others; chmod 600 it", file.string());
    }

    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) {
        // Not only parse_error: a number too large for a double is out_of_range.
        throw FaxError(ErrorCode::InvalidParameter,
                       file.string() + ": invalid JSON: " + without_exception_tag(e.what()));
    }
    if (!doc.is_object()) throw bad_field(file, "(top level)", "must be a JSON object");
    for (const auto& [key, value] : doc.items()) {
        if (key != "users") throw bad_field(file, key, "unknown field (expected \"users\")");
    }

    UsersFile users;
    if (!doc.contains("users")) return users;
    const json& list = doc["users"];
    if (!list.is_object()) throw bad_field(file, "users", "must be an object of name: user");
    for (const auto& [name, entry] : list.items()) {
        const std::string where = "users." + name;
        if (name.empty()) throw bad_field(file, where, "a user name must not be empty");
        if (!entry.is_object()) throw bad_field(file, where, "must be an object");
        for (const auto& [key, value] : entry.items()) {
            if (key != "role" && key != "password_hash")
                throw bad_field(file, where + "." + key,
                                "unknown field (expected role, password_hash)");
        }
        if (!entry.contains("role") || !entry["role"].is_string())
            throw bad_field(file, where + ".role", "missing or not a string");
        const auto role = entry["role"].get<std::string>();
        if (!is_role(role))
            throw bad_field(file, where + ".role",
                            "unknown role \"" + role + "\" (viewer, sender or admin)");
        if (!entry.contains("password_hash") || !entry["password_hash"].is_string())
            throw bad_field(file, where + ".password_hash", "missing or not a string");
        auto hash = entry["password_hash"].get<std::string>();
        if (hash.rfind("$argon2", 0) != 0 || hash.size() >= crypto_pwhash_STRBYTES)
            throw bad_field(file, where + ".password_hash",
                            "not an Argon2 hash (make one with hash_password)");
        users.users_[name] = Entry{role, std::move(hash)};
    }
    return users;
}

void UsersFile::save(const std::filesystem::path& file) const {
    json list = json::object();
    for (const auto& [name, entry] : users_)
        list[name] = {{"role", entry.role}, {"password_hash", entry.password_hash}};
    const std::string text = json{{"users", list}}.dump(2) + "\n";

    // 0600 from the start, so the hashes are never readable by others.
    try {
        write_file_atomically(
            file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, 0600);
    } catch (const FaxError& e) {
        throw FaxError(ErrorCode::Io, "cannot write users file " + file.string() + ": " + e.what());
    }
}

std::vector<std::pair<std::string, std::string>> UsersFile::list() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, entry] : users_) out.emplace_back(name, entry.role);
    return out;
}

void UsersFile::add(const std::string& name, const std::string& role, const std::string& password) {
    add_hashed(name, role, hash_password(password));
}

void UsersFile::add_hashed(const std::string& name, const std::string& role,
                           std::string password_hash) {
    if (name.empty()) throw FaxError(ErrorCode::InvalidParameter, "a user name must not be empty");
    rights_of(role);  // validates
    users_[name] = Entry{role, std::move(password_hash)};
}

bool UsersFile::remove(const std::string& name) {
    return users_.erase(name) > 0;
}

std::optional<User> UsersFile::find(const std::string& name) const {
    const auto it = users_.find(name);
    if (it == users_.end()) return std::nullopt;
    return User{name, it->second.role, rights_of(it->second.role)};
}

std::optional<std::string> UsersFile::password_hash(const std::string& name) const {
    const auto it = users_.find(name);
    if (it == users_.end()) return std::nullopt;
    return it->second.password_hash;
}

std::optional<User> UsersFile::verify(const std::string& name, const std::string& password) const {
    if (!verify_hash(password_hash(name), password)) return std::nullopt;
    return find(name);
}

std::string UsersFile::hash_password(const std::string& password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw FaxError(ErrorCode::Io, "cannot hash a password: out of memory");
    }
    return out;
}

namespace {
const std::string& dummy_hash() {
    static const std::string hash = UsersFile::hash_password("faxemu: no such user");
    return hash;
}
}  // namespace

bool UsersFile::verify_hash(const std::optional<std::string>& hash, const std::string& password) {
    ensure_sodium();
    const std::string& stored = hash ? *hash : dummy_hash();
    const bool match =
        crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
    return match && hash.has_value();
}

}  // namespace faxemu
