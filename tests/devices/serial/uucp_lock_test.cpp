#include "devices/serial/uucp_lock.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::TempDir;

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

// A pid that certainly belongs to no process: a child that has exited and been reaped.
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

TEST(UucpLock, NamesFollowHdbConvention) {
    EXPECT_EQ(UucpLock::lock_name("/dev/ttyS0"), "LCK..ttyS0");
    EXPECT_EQ(UucpLock::lock_name("/dev/ttyUSB1"), "LCK..ttyUSB1");
    EXPECT_EQ(UucpLock::lock_name("/dev/pts/3"), "LCK..pts_3");
    EXPECT_EQ(UucpLock::lock_name("/tmp/ttyFAX0"), "LCK..ttyFAX0");
    EXPECT_EQ(UucpLock::default_lock_dir(), "/var/lock");
}

TEST(UucpLock, WritesTenCharacterPidAndReleases) {
    TempDir dir;
    const auto path = dir.path() / "LCK..ttyS0";
    {
        UucpLock lock = UucpLock::acquire("/dev/ttyS0", dir.path());
        EXPECT_TRUE(lock.held());
        EXPECT_EQ(lock.path(), path);
        const std::string text = read_text(path);
        ASSERT_EQ(text.size(), 11u);
        EXPECT_EQ(text.back(), '\n');
        EXPECT_EQ(std::stoi(text.substr(0, 10)), ::getpid());
        EXPECT_EQ(text[0], ' ');  // right-aligned, space padded
        EXPECT_EQ(UucpLock::holder("/dev/ttyS0", dir.path()), ::getpid());
        // No temporary files are left behind.
        EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                                std::filesystem::directory_iterator{}),
                  1);
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(UucpLock::holder("/dev/ttyS0", dir.path()).has_value());
}

TEST(UucpLock, SecondAcquireInSameProcessIsRefused) {
    TempDir dir;
    UucpLock first = UucpLock::acquire("/dev/ttyS0", dir.path());
    try {
        UucpLock::acquire("/dev/ttyS0", dir.path());
        FAIL() << "second lock granted";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceInUse);
        EXPECT_NE(std::string(e.what()).find("/dev/ttyS0"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(std::to_string(::getpid())), std::string::npos);
    }
    // The refused attempt did not disturb the holder's lock.
    EXPECT_TRUE(std::filesystem::exists(first.path()));
}

TEST(UucpLock, LiveHolderIsRefusedNamingDeviceAndPid) {
    TempDir dir;
    const pid_t other = ::getppid();  // alive for as long as we run
    char text[16];
    std::snprintf(text, sizeof text, "%10d\n", static_cast<int>(other));
    write_text(dir.path() / "LCK..ttyUSB0", text);
    try {
        UucpLock::acquire("/dev/ttyUSB0", dir.path());
        FAIL() << "lock of a live process taken";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceInUse);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("/dev/ttyUSB0"), std::string::npos) << msg;
        EXPECT_NE(msg.find("pid " + std::to_string(other)), std::string::npos) << msg;
    }
    EXPECT_EQ(read_text(dir.path() / "LCK..ttyUSB0"), text);
    EXPECT_EQ(UucpLock::holder("/dev/ttyUSB0", dir.path()), other);
}

TEST(UucpLock, StaleLockOfDeadPidIsRemoved) {
    TempDir dir;
    char text[16];
    std::snprintf(text, sizeof text, "%10d\n", static_cast<int>(dead_pid()));
    write_text(dir.path() / "LCK..ttyS1", text);
    EXPECT_FALSE(UucpLock::holder("/dev/ttyS1", dir.path()).has_value());
    UucpLock lock = UucpLock::acquire("/dev/ttyS1", dir.path());
    EXPECT_EQ(std::stoi(read_text(lock.path())), ::getpid());
}

TEST(UucpLock, UnreadableLockIsStale) {
    TempDir dir;
    write_text(dir.path() / "LCK..ttyS2", "garbage\n");
    UucpLock lock = UucpLock::acquire("/dev/ttyS2", dir.path());
    EXPECT_EQ(std::stoi(read_text(lock.path())), ::getpid());
}

TEST(UucpLock, ReleaseLeavesSomeoneElsesLockAlone) {
    TempDir dir;
    UucpLock lock = UucpLock::acquire("/dev/ttyS3", dir.path());
    // Someone broke our lock and took the device.
    char text[16];
    std::snprintf(text, sizeof text, "%10d\n", static_cast<int>(::getppid()));
    write_text(lock.path(), text);
    const auto path = lock.path();
    lock.release();
    EXPECT_FALSE(lock.held());
    EXPECT_EQ(read_text(path), text);
}

TEST(UucpLock, MovesOwnership) {
    TempDir dir;
    UucpLock a = UucpLock::acquire("/dev/ttyS4", dir.path());
    const auto path = a.path();
    UucpLock b = std::move(a);
    EXPECT_FALSE(a.held());
    EXPECT_TRUE(b.held());
    a.release();  // nothing
    EXPECT_TRUE(std::filesystem::exists(path));
    b = UucpLock{};
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(UucpLock, UnwritableLockDirIsAnIoErrorNamingIt) {
    TempDir dir;
    const auto missing = dir.path() / "no-such-dir";
    try {
        UucpLock::acquire("/dev/ttyS5", missing);
        FAIL();
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("/dev/ttyS5"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace faxemu
