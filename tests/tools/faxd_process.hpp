// A real faxd process on two simulated ports ("one" 5551001 with TSID ONE, "two"
// 5551002 with CSID TWO), its spool and log in a test's folder, for the tests
// that kill it, restart it, signal it or read its log.
#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/protocol/client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

class FaxdProcess {
  public:
    FaxdProcess(const std::filesystem::path& dir, double speed) : dir_(dir) {
        std::filesystem::create_directories(dir_);
        config_ = dir_ / ("faxd-" + std::to_string(static_cast<int>(speed)) + ".toml");
        std::ostringstream text;
        text << "[server]\nspool = \"" << (dir_ / "spool").string()
             << "\"\nlog_level = \"info\"\nretry_delay = 0\n"
             << "[control]\nlisten = \"\"\n[line]\nspeed = " << speed << "\n";
        settings_text_ = text.str();
        std::ofstream(config_) << settings_text_ << kPortsText;
        static int started = 0;
        log_ = dir_ / ("faxd-" + std::to_string(++started) + ".log");
        process_ = std::make_unique<test::Process>(
            std::vector<std::string>{FAXD_PATH, "--config", config_.string()}, log_);
    }
    // The local admin over the Unix socket, once faxd says it listens there.
    std::unique_ptr<rpc::FaxClient> client() {
        const std::string ready = "control protocol on " + (dir_ / "spool" / "faxd.sock").string();
        if (!test::wait_for_text(log_, ready, std::chrono::seconds(30)))
            throw std::runtime_error("faxd did not come up: " + test::read_text(log_));
        auto c = std::make_unique<rpc::FaxClient>();
        c->connect("unix:" + (dir_ / "spool" / "faxd.sock").string());
        return c;
    }
    const std::filesystem::path& log() const { return log_; }
    // The configuration file, and its text in two parts: the settings before
    // the [[port]] tables, and those tables (kPortsText); a test that rewrites
    // the file for a SIGHUP starts from them.
    const std::filesystem::path& config() const { return config_; }
    const std::string& settings_text() const { return settings_text_; }
    static constexpr char kPortsText[] =
        "[[port]]\nname = \"one\"\nnumber = \"5551001\"\ntsid = \"ONE\"\n"
        "[[port]]\nname = \"two\"\nnumber = \"5551002\"\ncsid = \"TWO\"\n";
    // SIGHUP, once faxd handles it (until then it is ignored).
    void hangup() {
        if (!test::wait_for_text(log_, "faxd: ready", std::chrono::seconds(30)))
            throw std::runtime_error("faxd never got ready: " + test::read_text(log_));
        process_->signal(SIGHUP);
    }
    void kill9() {
        process_->signal(SIGKILL);
        process_->wait();
    }
    int terminate() {
        process_->signal(SIGTERM);
        return process_->wait();
    }

  private:
    std::filesystem::path dir_;
    std::filesystem::path config_;
    std::string settings_text_;
    std::filesystem::path log_;
    std::unique_ptr<test::Process> process_;
};

}  // namespace faxemu::test
