// `faxd user add|list|remove` (issue 15): the first-run path to network
// logins, run as the real binary against a real faxd.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/protocol/error_codes.hpp"
#include "core/users.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/faxd_process.hpp"

namespace faxemu {
namespace {

class FaxdUserCommand : public ::testing::Test {
  protected:
    test::TempDir dir;

    // faxd ARGS... with `stdin_text` on stdin; the exit status, output in `out`.
    int faxd(std::vector<std::string> args, std::string& out, const std::string& stdin_text = "") {
        const auto input = dir.path() / "stdin.txt";
        std::ofstream(input) << stdin_text;
        args.insert(args.begin(), FAXD_PATH);
        return test::run(args, out, dir.path(), {}, input);
    }
    bool can_log_in(test::FaxdProcess& p, const std::string& user, const std::string& pw) {
        try {
            p.client()->login(user, pw);
            return true;
        } catch (const rpc::RpcError& e) {
            EXPECT_EQ(e.code(), rpc::kAccessDenied) << e.what();
            return false;
        }
    }
};

TEST_F(FaxdUserCommand, AddListRemoveWriteTheUsersFileFaxdReadsOnSighup) {
    test::FaxdProcess running(dir.path() / "faxd", 0);
    const std::string config = running.config().string();
    const auto users = dir.path() / "faxd" / "spool" / "users.json";
    EXPECT_FALSE(can_log_in(running, "alice", "s3cret pass"));

    std::string out;
    ASSERT_EQ(
        faxd({"--config", config, "user", "add", "alice", "--role", "admin", "--password-stdin"},
             out, "s3cret pass\n"),
        0)
        << out;
    EXPECT_NE(out.find("added user alice (admin) in " + users.string()), std::string::npos) << out;
    EXPECT_NE(out.find("SIGHUP"), std::string::npos) << out;
    struct stat st {};
    ASSERT_EQ(stat(users.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_uid, geteuid());
    const auto alice = UsersFile::load(users).verify("alice", "s3cret pass");
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->role, "admin");

    // The options may also come after the subcommand; a second user keeps the first.
    ASSERT_EQ(
        faxd({"user", "add", "bob", "--role", "viewer", "--password-stdin", "--config", config},
             out, "bob's pw\n"),
        0)
        << out;
    ASSERT_EQ(faxd({"--config", config, "user", "list"}, out), 0) << out;
    EXPECT_NE(out.find(users.string() + ": 2 user(s)\nalice\tadmin\nbob\tviewer\n"),
              std::string::npos)
        << out;

    running.hangup();
    ASSERT_TRUE(test::wait_for_text(running.log(), "2 user(s)", std::chrono::seconds(30)))
        << test::read_text(running.log());
    EXPECT_TRUE(can_log_in(running, "alice", "s3cret pass"));
    EXPECT_TRUE(can_log_in(running, "bob", "bob's pw"));

    ASSERT_EQ(faxd({"--config", config, "user", "remove", "alice"}, out), 0) << out;
    EXPECT_NE(out.find("removed user alice from " + users.string()), std::string::npos) << out;
    running.hangup();
    ASSERT_TRUE(test::wait_for_text(running.log(), "1 user(s)", std::chrono::seconds(30)))
        << test::read_text(running.log());
    EXPECT_FALSE(can_log_in(running, "alice", "s3cret pass"));
    EXPECT_EQ(faxd({"--config", config, "user", "remove", "alice"}, out), 1) << out;
    EXPECT_NE(out.find("no user alice"), std::string::npos) << out;
}

TEST_F(FaxdUserCommand, RefusesWhatItCannotDoAndWritesNothing) {
    const std::string spool = (dir.path() / "spool").string();
    std::string out;
    // No terminal to prompt on (stdin is a file) and no --password-stdin.
    EXPECT_EQ(faxd({"--spool", spool, "user", "add", "carol", "--role", "admin"}, out, "x\n"), 2);
    EXPECT_NE(out.find("--password-stdin"), std::string::npos) << out;
    EXPECT_NE(faxd({"--spool", spool, "user", "add", "carol", "--role", "boss", "--password-stdin"},
                   out, "x\n"),
              0);
    EXPECT_NE(out.find("boss"), std::string::npos) << out;
    EXPECT_EQ(
        faxd({"--spool", spool, "user", "add", "carol", "--role", "sender", "--password-stdin"},
             out, "\n"),
        2);
    EXPECT_NE(out.find("empty password"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "spool" / "users.json"));
    // The config's [control] users wins over the spool's default.
    const auto named = dir.path() / "etc" / "faxd-users.json";
    const auto cfg = dir.path() / "faxd.toml";
    std::ofstream(cfg) << "[server]\nspool = \"" << spool << "\"\n[control]\nusers = \""
                       << named.string() << "\"\n[[port]]\nname = \"p\"\nnumber = \"1\"\n";
    ASSERT_EQ(faxd({"--config", cfg.string(), "user", "add", "carol", "--role", "sender",
                    "--password-stdin"},
                   out, "pw\n"),
              0)
        << out;
    EXPECT_NE(out.find(named.string()), std::string::npos) << out;
    EXPECT_EQ(UsersFile::load(named).find("carol")->role, "sender");
}

}  // namespace
}  // namespace faxemu
