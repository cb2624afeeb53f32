// PtyModem: a real pseudo-terminal, its stable symlink, exact byte counters, and a
// host that closes and reopens the device.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <fstream>
#include <string>

#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/line_attachment.hpp"
#include "devices/virtual_modem/pty.hpp"
#include "devices/virtual_modem/pty_modem.hpp"
#include "tests/support/pty_pump.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class PtyModemTest : public ::testing::Test {
  protected:
    // Runs handlers until `done`, waiting on the kernel at most `limit` of wall time.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
        return test::run_until(io, done, limit);
    }
    std::string read_host(int fd) {
        char buf[512];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

    test::TempDir dir;
    asio::io_context io;
    VirtualClock clock;
    VirtualExchange exchange{clock};
};

TEST_F(PtyModemTest, HostTalksAtThroughTheSymlinkWithExactCounters) {
    const fs::path link = dir.path() / "ttyFAX0";
    PtyModem modem(io, std::make_unique<Class1Engine>(exchange, "5550001"), link);
    LineAttachment line(exchange, modem.engine());
    EXPECT_EQ(modem.device_path(), link);
    ASSERT_TRUE(fs::is_symlink(link));

    for (int session = 0; session < 2; ++session) {  // close and reopen: no EIO, same line
        const int fd = ::open(link.c_str(), O_RDWR | O_NOCTTY);
        ASSERT_GE(fd, 0);
        const std::uint64_t from = modem.bytes_from_host(), to = modem.bytes_to_host();
        ASSERT_EQ(::write(fd, "ATE0\r", 5), 5);
        ASSERT_TRUE(run_until([&] { return modem.bytes_from_host() == from + 5; }));
        ASSERT_TRUE(
            run_until([&] { return modem.bytes_to_host() > to && modem.pending_to_host() == 0; }));
        std::string got;
        while (got.find("OK") == std::string::npos) got += read_host(fd);
        // Raw line: our own output is not echoed back into the modem.
        EXPECT_EQ(modem.bytes_from_host(), from + 5);
        ::close(fd);
    }
}

TEST_F(PtyModemTest, ReplacesAStaleSymlinkAndRefusesAFile) {
    const fs::path link = dir.path() / "ttyFAX1";
    fs::create_symlink("/dev/pts/does-not-exist", link);
    {
        Pty pty(link);
        EXPECT_EQ(fs::read_symlink(link), pty.slave_path());
    }
    EXPECT_FALSE(fs::exists(fs::symlink_status(link)));  // removed with the pty

    const fs::path file = dir.path() / "notalink";
    std::ofstream(file) << "keep me";
    try {
        Pty pty(file);
        FAIL() << "replaced a regular file";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::is_regular_file(file));
}

}  // namespace
}  // namespace faxemu
