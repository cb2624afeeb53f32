// faxd: the fax server. `faxd --config FILE`, or with no config the embedded
// default (two simulated ports; --web turns its web console on). Runs until SIGTERM or SIGINT;
// SIGHUP reads the configuration again (config_reload.hpp). `faxd check-config FILE` checks a
// configuration without starting; `faxd user add|list|remove` edits the users
// file (user_command.hpp).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <functional>
#include <iostream>

#include "core/protocol/defaults.hpp"
#include "core/users.hpp"
#include "tools/faxd/config.hpp"
#include "tools/faxd/daemon.hpp"
#include "tools/faxd/log_target.hpp"
#include "tools/faxd/user_command.hpp"

using namespace faxemu;

int main(int argc, char** argv) {
    CLI::App app{"faxd: the faxemu fax server"};
    std::string config_file, spool, log_level, log_file;
    app.add_option("-c,--config", config_file,
                   "TOML configuration ($FAXD_CONFIG; default: two simulated ports)")
        ->check(CLI::ExistingFile);
    app.add_option("--spool", spool, "spool directory (overrides the config)");
    std::optional<std::string> listen;
    app.add_option("--listen", listen, "control protocol TCP address HOST:PORT (\"\" for none)");
    std::optional<std::string> web;
    app.add_option("--web", web, "web console HOST:PORT (overrides [web] listen; \"\" for none)");
    std::optional<double> line_speed;
    app.add_option("--line-speed", line_speed,
                   "pace of the simulated ports' line: 0 unpaced, 1 real time (overrides "
                   "[line] speed)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
    app.add_option("--log-file", log_file, "log to this file (wins over --log)");
    std::string log_target;
    app.add_option("--log", log_target,
                   "auto (the journal when systemd runs faxd, else stderr), stderr, journald, "
                   "syslog")
        ->check(CLI::IsMember({"auto", "stderr", "journald", "syslog"}));
    app.set_version_flag("--version", std::string("faxd ") + FAXEMU_VERSION);
    std::string check_file;
    auto* check = app.add_subcommand(
        "check-config",
        "check a configuration file (unknown keys, bad values) and say what is wrong");
    check->add_option("file", check_file, "the TOML configuration")->required();
    auto* hash = app.add_subcommand("hash-password",
                                    "read a password on stdin, print its hash for the users file");
    faxd::UserCommand user(app);
    CLI11_PARSE(app, argc, argv);

    if (*hash) {
        std::string password;
        std::getline(std::cin, password);
        if (password.empty()) {
            std::cerr << "faxd: hash-password: no password on stdin\n";
            return 2;
        }
        std::cout << UsersFile::hash_password(password) << "\n";
        return 0;
    }

    if (*check) {
        try {
            const faxd::Config config = faxd::load_config(check_file);
            std::cout << check_file << ": ok: " << config.ports.size() << " port(s), spool "
                      << config.spool.string() << "\n";
            return 0;
        } catch (const std::exception& e) {
            std::cerr << "faxd: " << e.what() << "\n";
            return 1;
        }
    }

    if (config_file.empty()) config_file = rpc::config_from_environment().string();
    // The configuration as the command line amends it: at start and on SIGHUP.
    const auto load = [=]() {
        faxd::Config config =
            config_file.empty() ? faxd::default_config() : faxd::load_config(config_file);
        if (!spool.empty()) config.spool = spool;
        if (listen) config.listen = *listen;
        if (web) config.web_listen = *web;
        if (line_speed) config.line_speed = *line_speed;
        if (!log_level.empty()) config.log_level = log_level;
        if (!log_file.empty()) config.log_file = log_file;
        if (!log_target.empty()) config.log_target = log_target;
        return config;
    };
    if (user.chosen()) return user.run(load);
    // Until faxd listens for SIGHUP, one must not end it.
    std::signal(SIGHUP, SIG_IGN);
    try {
        faxd::Config config = load();
        // Client strings (names, numbers, file names) reach the log: each logger
        // escapes control characters, so no forged lines.
        spdlog::set_default_logger(!config.log_file.empty()
                                       ? faxd::make_file_logger(config.log_file)
                                       : faxd::make_logger(faxd::resolve_log_target(
                                             *faxd::log_target_from_string(config.log_target),
                                             std::getenv("JOURNAL_STREAM"))));
        spdlog::set_level(spdlog::level::from_str(config.log_level));
        spdlog::flush_on(spdlog::level::info);

        faxd::Daemon daemon(std::move(config));
        asio::signal_set signals(daemon.io(), SIGTERM, SIGINT);
        signals.async_wait([&](const asio::error_code& ec, int sig) {
            if (ec) return;
            spdlog::info("faxd: signal {}", sig);
            daemon.stop();
        });
        asio::signal_set hangups(daemon.io(), SIGHUP);
        std::function<void()> await_hangup = [&] {
            hangups.async_wait([&](const asio::error_code& ec, int) {
                if (ec) return;
                if (config_file.empty()) {
                    spdlog::info(
                        "faxd: SIGHUP: faxd runs on the embedded default, there is no "
                        "configuration file to read again; reading the users file");
                    daemon.reload_users();
                } else
                    daemon.reload(load);
                await_hangup();
            });
        };
        await_hangup();
        // From here a SIGHUP reloads (before, it was ignored): a test or a
        // service manager waits for this line.
        spdlog::info("faxd: ready");
        daemon.run();
        spdlog::info("faxd: stopped");
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("faxd: {}", e.what());
        return 1;
    }
}
