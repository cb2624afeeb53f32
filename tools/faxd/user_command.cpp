#include "tools/faxd/user_command.hpp"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "core/users.hpp"

namespace faxemu::faxd {

namespace {

// One line from stdin; with `hidden`, the terminal does not echo it.
std::string read_line(bool hidden) {
    termios saved{};
    const bool quiet = hidden && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
    std::string line;
    std::getline(std::cin, line);
    if (quiet) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::cerr << "\n";
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// The users file as it is, or empty when there is none yet.
UsersFile load_or_empty(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) return {};
    return UsersFile::load(file);
}

// Run as root, the file goes to the owner of faxd's spool (faxd's own user:
// the service runs as that user and reads the file, which is 0600).
void give_to_spool_owner(const std::filesystem::path& file, const Config& config) {
    if (geteuid() != 0) return;
    const auto spool = config.spool.empty() ? default_spool() : config.spool;
    struct stat st {};
    if (stat(spool.c_str(), &st) != 0 || st.st_uid == 0) return;
    if (chown(file.c_str(), st.st_uid, st.st_gid) != 0)
        throw std::runtime_error("cannot give " + file.string() +
                                 " to faxd's user: " + std::strerror(errno));
}

const char* const kReload =
    "a running faxd reads it again on SIGHUP (systemctl reload faxd, or kill -HUP its pid)";

}  // namespace

UserCommand::UserCommand(CLI::App& app) {
    user_ = app.add_subcommand("user", "add, list or remove users of the control protocol");
    user_->require_subcommand(1);
    user_->fallthrough();
    add_ = user_->add_subcommand("add", "add a user, or change its role and password");
    add_->add_option("name", name_, "the user's name")->required();
    add_->add_option("--role", role_, "admin, sender or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "sender", "viewer"}));
    add_->add_flag("--password-stdin", password_stdin_,
                   "read the password from stdin (one line) instead of prompting");
    add_->fallthrough();
    list_ = user_->add_subcommand("list", "list the users and their roles");
    list_->fallthrough();
    remove_ = user_->add_subcommand("remove", "remove a user");
    remove_->add_option("name", name_, "the user's name")->required();
    remove_->fallthrough();
}

int UserCommand::run(const std::function<Config()>& load) const {
    try {
        const Config config = load();
        const std::filesystem::path file = users_file(config);
        if (*add_) return add(file, config);
        if (*list_) return list(file);
        return remove(file);
    } catch (const std::exception& e) {
        std::cerr << "faxd: user: " << e.what() << "\n";
        return 1;
    }
}

int UserCommand::add(const std::filesystem::path& file, const Config& config) const {
    std::string password;
    if (password_stdin_) {
        password = read_line(false);
    } else {
        if (!isatty(STDIN_FILENO)) {
            std::cerr << "faxd: user add: no terminal to ask the password on; pipe it in with "
                         "--password-stdin\n";
            return 2;
        }
        std::cerr << "Password for " << name_ << ": ";
        password = read_line(true);
        std::cerr << "Again: ";
        if (read_line(true) != password) {
            std::cerr << "faxd: user add: the passwords differ; nothing written\n";
            return 1;
        }
    }
    if (password.empty()) {
        std::cerr << "faxd: user add: an empty password; nothing written\n";
        return 2;
    }
    UsersFile users = load_or_empty(file);
    const bool existed = users.find(name_).has_value();
    users.add(name_, role_, password);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    users.save(file);
    give_to_spool_owner(file, config);
    std::cout << (existed ? "changed" : "added") << " user " << name_ << " (" << role_ << ") in "
              << file.string() << "\n"
              << kReload << ".\n";
    return 0;
}

int UserCommand::list(const std::filesystem::path& file) const {
    const UsersFile users = load_or_empty(file);
    std::cout << file.string() << ": " << users.size() << " user(s)\n";
    for (const auto& [name, role] : users.list()) std::cout << name << "\t" << role << "\n";
    return 0;
}

int UserCommand::remove(const std::filesystem::path& file) const {
    UsersFile users = load_or_empty(file);
    if (!users.remove(name_)) {
        std::cerr << "faxd: user remove: no user " << name_ << " in " << file.string() << "\n";
        return 1;
    }
    users.save(file);
    std::cout << "removed user " << name_ << " from " << file.string() << "\n"
              << kReload << "; sessions already open keep their rights until they end.\n";
    return 0;
}

}  // namespace faxemu::faxd
