// Where faxd logs (--log, [server] log_target): auto picks the journal exactly
// when JOURNAL_STREAM names faxd's stderr, as systemd sets it; the journal
// gets the message with its priority. The round trips run faxd in a mount
// namespace of its own where the test's datagram socket is the journal's
// (/run/systemd/journal/socket, the path libsystemd writes to).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"
#include "tools/faxd/log_target.hpp"

namespace faxemu {
namespace {

using faxd::LogTarget;

std::string stream_of(const std::filesystem::path& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

TEST(LogTarget, NamesRoundTrip) {
    for (const char* name : {"auto", "stderr", "journald", "syslog"})
        EXPECT_STREQ(faxd::to_string(*faxd::log_target_from_string(name)), name);
    EXPECT_FALSE(faxd::log_target_from_string("journal"));
}

TEST(LogTarget, AutoIsTheJournalOnlyWhenJournalStreamNamesTheFd) {
    test::TempDir tmp;
    const auto file = tmp.path() / "stderr";
    std::ofstream(file) << "";
    const int fd = ::open(file.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::string same = stream_of(file);
    struct stat st {};
    ::fstat(fd, &st);
    const std::string other_inode = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
    const std::string other_device =
        std::to_string(st.st_dev + 1) + ":" + std::to_string(st.st_ino);

    EXPECT_EQ(faxd::resolve_log_target(LogTarget::Auto, same.c_str(), fd), LogTarget::Journald);
    EXPECT_EQ(faxd::resolve_log_target(LogTarget::Auto, nullptr, fd), LogTarget::Stderr);
    for (const std::string& not_it :
         {other_inode, other_device, std::string(""), std::string(":"), same + "x",
          std::string("1:"), std::string(":1"), std::string("-1:5")})
        EXPECT_EQ(faxd::resolve_log_target(LogTarget::Auto, not_it.c_str(), fd), LogTarget::Stderr)
            << not_it;
    // Explicit targets stay what they are.
    EXPECT_EQ(faxd::resolve_log_target(LogTarget::Stderr, same.c_str(), fd), LogTarget::Stderr);
    EXPECT_EQ(faxd::resolve_log_target(LogTarget::Syslog, nullptr, fd), LogTarget::Syslog);
    EXPECT_EQ(faxd::resolve_log_target(LogTarget::Journald, nullptr, fd), LogTarget::Journald);
    ::close(fd);
}

// A faxd whose journal is a datagram socket of the test's.
class JournalRoundTrip : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::system("unshare -m true 2>/dev/null") != 0)
            GTEST_SKIP() << "needs mount namespaces (unshare -m) to give faxd a journal socket";
        journal_dir = tmp.path() / "journal";
        std::filesystem::create_directories(journal_dir);
        sock = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string path = (journal_dir / "socket").string();
        ASSERT_LT(path.size(), sizeof addr.sun_path);
        std::copy(path.begin(), path.end(), addr.sun_path);
        ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        timeval deadline{30, 0};
        ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
        config = tmp.path() / "faxd.toml";
        std::ofstream(config) << "[server]\nspool = \"" << (tmp.path() / "spool").string()
                              << "\"\n[control]\nlisten = \"\"\n"
                              << "[[port]]\nname = \"one\"\nnumber = \"5551001\"\n";
        log = tmp.path() / "stderr.log";
        std::ofstream(log) << "";
    }
    void TearDown() override {
        if (faxd) {
            faxd->signal(SIGTERM);
            faxd->wait();
        }
        if (sock >= 0) ::close(sock);
    }
    // faxd with `args`, its stderr `log`, the journal socket ours.
    void start(const std::string& args, const std::vector<std::string>& env) {
        const std::string script =
            "mount -t tmpfs none /run && mkdir -p /run/systemd/journal && mount --bind " +
            journal_dir.string() + " /run/systemd/journal && exec " + FAXD_PATH + " --config " +
            config.string() + " " + args;
        faxd = std::make_unique<test::Process>(
            std::vector<std::string>{"/usr/bin/unshare", "-m", "/bin/sh", "-c", script}, log, env);
    }
    // The journal entry's fields, or empty at the deadline.
    std::map<std::string, std::string> next_entry() {
        char buf[65536];
        const ssize_t n = ::recv(sock, buf, sizeof buf, 0);
        std::map<std::string, std::string> fields;
        std::istringstream in(std::string(buf, n > 0 ? n : 0));
        for (std::string line; std::getline(in, line);)
            if (auto eq = line.find('='); eq != std::string::npos)
                fields[line.substr(0, eq)] = line.substr(eq + 1);
        return fields;
    }

    test::TempDir tmp;
    std::filesystem::path journal_dir, config, log;
    int sock = -1;
    std::unique_ptr<test::Process> faxd;
};

TEST_F(JournalRoundTrip, AutoLogsToTheJournalWhenStderrIsTheJournalStream) {
    start("", {"JOURNAL_STREAM=" + stream_of(log)});
    const auto entry = next_entry();
    ASSERT_FALSE(entry.empty()) << "nothing reached the journal; faxd said: "
                                << test::read_text(log);
    EXPECT_EQ(entry.at("MESSAGE"), "faxd: spool " + (tmp.path() / "spool").string());
    EXPECT_EQ(entry.at("PRIORITY"), "6");  // info
    EXPECT_EQ(entry.at("SYSLOG_IDENTIFIER"), "faxd");
    EXPECT_EQ(test::read_text(log).find("faxd: spool"), std::string::npos);
}

TEST_F(JournalRoundTrip, AutoLogsToStderrWhenJournalStreamIsAnotherFile) {
    start("", {"JOURNAL_STREAM=" + stream_of(config)});
    ASSERT_TRUE(test::wait_for_text(log, "control protocol on", std::chrono::seconds(30)))
        << test::read_text(log);
    char byte;
    EXPECT_EQ(::recv(sock, &byte, 1, MSG_DONTWAIT), -1);  // nothing in the journal
}

TEST_F(JournalRoundTrip, LogJournaldKeepsEachLevelAsItsPriority) {
    // A metrics address that cannot be bound: faxd says why (critical) and stops.
    std::ofstream(config, std::ios::app) << "[metrics]\nlisten = \"256.0.0.1:9464\"\n";
    start("--log journald", {});
    std::map<std::string, std::string> entry, critical;
    bool info_seen = false;
    while (critical.empty() && !(entry = next_entry()).empty()) {
        if (entry["PRIORITY"] == "6") info_seen = true;
        if (entry["PRIORITY"] == "2") critical = entry;
    }
    EXPECT_TRUE(info_seen);
    ASSERT_FALSE(critical.empty()) << test::read_text(log);
    EXPECT_NE(critical["MESSAGE"].find("cannot listen on 256.0.0.1:9464"), std::string::npos)
        << critical["MESSAGE"];
    EXPECT_EQ(faxd->wait(), 1);
    faxd.reset();
}

}  // namespace
}  // namespace faxemu
