// The users who may log in to faxd's control protocol, with their role and an
// Argon2id password hash (libsodium's crypto_pwhash_str format).
//
// The file is one JSON object:
//
//   {
//     "users": {
//       "alice": {"role": "admin",  "password_hash": "$argon2id$v=19$m=65536,t=2,p=1$..."},
//       "bob":   {"role": "viewer", "password_hash": "$argon2id$..."}
//     }
//   }
//
// Roles: "viewer" (query jobs, configuration and ports), "sender" (viewer +
// submit faxes), "admin" (every right). Hashes come from hash_password
// (`faxd user add` writes the file; tools/faxd/user_command.hpp) — the file
// never holds a password. The file may be empty of
// users: then only the local admin (Unix socket as root or faxd's own user)
// can do anything. A file readable by group or others is loaded with a warning.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/caller_rights.hpp"

namespace faxemu {

struct User {
    std::string name;
    std::string role;
    CallerRights rights;
};

class UsersFile {
  public:
    UsersFile() = default;

    // Throws FaxError: Io if the file cannot be read, InvalidParameter naming the
    // file and the line (bad JSON) or the field (bad content) otherwise.
    static UsersFile load(const std::filesystem::path& file);
    // Writes atomically (temp file + rename), readable by the owner only.
    void save(const std::filesystem::path& file) const;

    // Adds or replaces a user; throws InvalidParameter for an empty name or unknown role.
    void add(const std::string& name, const std::string& role, const std::string& password);
    void add_hashed(const std::string& name, const std::string& role, std::string password_hash);
    bool remove(const std::string& name);

    // The user when the password matches. Slow on purpose (Argon2id, ~0.1 s of
    // CPU and 64 MiB): keep it off threads that must stay responsive.
    std::optional<User> verify(const std::string& name, const std::string& password) const;
    // The user without checking a password, or nullopt.
    std::optional<User> find(const std::string& name) const;
    // The stored hash of `name`, or nullopt; for callers that verify elsewhere.
    std::optional<std::string> password_hash(const std::string& name) const;

    // Every user's name and role, by name.
    std::vector<std::pair<std::string, std::string>> list() const;

    std::size_t size() const { return users_.size(); }
    bool empty() const { return users_.empty(); }

    // Argon2id with libsodium's interactive limits.
    static std::string hash_password(const std::string& password);
    // True when `password` matches `hash`. With no hash, checks against a dummy
    // one so that an unknown user costs the same time as a wrong password.
    static bool verify_hash(const std::optional<std::string>& hash, const std::string& password);
    // The rights of a role; throws InvalidParameter for an unknown role.
    static CallerRights rights_of(std::string_view role);
    static bool is_role(std::string_view role);

  private:
    struct Entry {
        std::string role;
        std::string password_hash;
    };
    std::map<std::string, Entry> users_;
};

}  // namespace faxemu
