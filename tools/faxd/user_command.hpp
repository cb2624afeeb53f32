// `faxd user add|list|remove`: the first-run path to logins over the network
// (the COM shim cannot use the Unix socket, where the local admin needs no
// password). Writes the users file faxd reads (users_file(): [control] users,
// else <spool>/users.json), 0600, owned as faxd's spool is when run as root.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

class UserCommand {
  public:
    // Adds the `user` subcommand to `app`.
    explicit UserCommand(CLI::App& app);
    // Whether the command line chose it (after parsing).
    bool chosen() const { return user_->parsed(); }
    // Runs it on the configuration `load` gives; the exit status.
    int run(const std::function<Config()>& load) const;

  private:
    int add(const std::filesystem::path& file, const Config& config) const;
    int list(const std::filesystem::path& file) const;
    int remove(const std::filesystem::path& file) const;

    CLI::App* user_;
    CLI::App* add_;
    CLI::App* list_;
    CLI::App* remove_;
    std::string name_;
    std::string role_;
    bool password_stdin_ = false;
};

}  // namespace faxemu::faxd
