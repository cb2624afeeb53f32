// UUCP locks shared with a real program: Debian's efax (-x lockfile) honours our
// lock, and we honour efax's, including its stale lock after a kill -9.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/error.hpp"
#include "devices/serial/uucp_lock.hpp"
#include "tests/devices/serial/fake_modem.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

bool have_efax() {
    return ::access("/usr/bin/efax", X_OK) == 0;
}

TEST(LockInterop, EfaxWaitsWhileWeHoldTheDevice) {
    if (!have_efax()) GTEST_SKIP() << "efax not installed";
    asio::io_context io;
    test::FakeModem modem(io);
    test::TempDir dir;
    UucpLock lock = UucpLock::acquire(modem.slave_path(), dir.path());
    const auto log = dir.path() / "efax.log";
    test::Process efax({"/usr/bin/efax", "-d", modem.slave_path(), "-x", lock.path().string(), "-v",
                        "ewinchamr", "-t", "5551234", "/dev/null"},
                       log);
    EXPECT_TRUE(test::wait_for_text(log, "locked or busy", 10s)) << test::read_text(log);
    EXPECT_EQ(UucpLock::holder(modem.slave_path(), dir.path()), ::getpid());
    EXPECT_EQ(modem.bytes_from_host(), 0u);
}

TEST(LockInterop, WeRefuseEfaxsLockAndBreakItOnceEfaxIsDead) {
    if (!have_efax()) GTEST_SKIP() << "efax not installed";
    asio::io_context io;
    test::FakeModem modem(io);  // never answers: efax sits waiting with its lock held
    test::TempDir dir;
    const auto lock_path = dir.path() / UucpLock::lock_name(modem.slave_path());
    const auto log = dir.path() / "efax.log";
    auto efax = std::make_unique<test::Process>(
        std::vector<std::string>{"/usr/bin/efax", "-d", modem.slave_path(), "-x",
                                 lock_path.string(), "-v", "ewinchamr", "-t", "5551234",
                                 "/dev/null"},
        log);
    const pid_t pid = efax->pid();
    ASSERT_TRUE(test::wait_for_text(lock_path, std::to_string(pid), 10s)) << test::read_text(log);
    try {
        UucpLock::acquire(modem.slave_path(), dir.path());
        FAIL() << "took the lock efax holds";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceInUse);
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(pid)), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find(modem.slave_path()), std::string::npos);
    }
    efax.reset();  // SIGKILL and reaped: its lock stays behind, stale
    ASSERT_TRUE(std::filesystem::exists(lock_path));
    UucpLock ours = UucpLock::acquire(modem.slave_path(), dir.path());
    EXPECT_EQ(UucpLock::holder(modem.slave_path(), dir.path()), ::getpid());
}

}  // namespace
}  // namespace faxemu
