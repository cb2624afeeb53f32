#include "devices/serial/serial_line.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "tests/devices/serial/fake_modem.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::FakeModem;
using test::run_until;
using test::settle;

TEST(SerialLine, OpenFailureNamesTheDevice) {
    asio::io_context io;
    SerialLine line(io, "/dev/faxemu-no-such-tty");
    try {
        line.open();
        FAIL();
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("/dev/faxemu-no-such-tty"), std::string::npos);
    }
    EXPECT_FALSE(line.is_open());
}

TEST(SerialLine, UnsupportedBaudIsRefused) {
    asio::io_context io;
    SerialLine line(io, "/dev/null", SerialSettings{.baud = 12345});
    EXPECT_EQ(test::code_of([&] { line.open(); }), ErrorCode::InvalidParameter);
}

TEST(SerialLine, BytesBothWaysWithExactCounters) {
    asio::io_context io;
    FakeModem modem(io);
    SerialLine line(io, modem.slave_path());
    std::string got;
    line.set_read_handler([&](const std::uint8_t* d, std::size_t n) {
        got.append(reinterpret_cast<const char*>(d), n);
    });
    line.open();
    ASSERT_TRUE(line.is_open());
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));  // incl. XON/XOFF, DLE
    line.write(all);
    modem.send(all + "tail");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_EQ(modem.received(), all);
    EXPECT_EQ(got, all + "tail");  // 0x11/0x13 are data while inbound flow control is off
    EXPECT_EQ(line.bytes_written(), 256u);
    EXPECT_EQ(line.bytes_read(), 260u);
    EXPECT_EQ(line.pending_write_bytes(), 0u);
}

TEST(SerialLine, OpensThroughASymlinkAndReopens) {
    asio::io_context io;
    FakeModem modem(io);
    test::TempDir dir;
    const auto link = dir.path() / "ttyFAX0";
    std::filesystem::create_symlink(modem.slave_path(), link);
    SerialLine line(io, link, SerialSettings{.baud = 19200, .flow = FlowControl::RtsCts});
    line.open();
    line.write("one");
    ASSERT_TRUE(settle(io, line, modem));
    line.close();
    EXPECT_FALSE(line.is_open());
    line.write("dropped");  // closed: ignored
    line.open();
    line.write("two");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_EQ(modem.received(), "onetwo");
    EXPECT_EQ(line.bytes_written(), 6u);
}

TEST(SerialLine, TakesAndReleasesTheUucpLock) {
    asio::io_context io;
    FakeModem modem(io);
    test::TempDir dir;
    SerialLine line(io, modem.slave_path());
    line.set_lock_dir(dir.path());
    const auto lock = dir.path() / UucpLock::lock_name(modem.slave_path());
    line.open();
    EXPECT_TRUE(std::filesystem::exists(lock));
    EXPECT_EQ(UucpLock::holder(modem.slave_path(), dir.path()), ::getpid());
    // A second user of the device (another port config, minicom...) is refused.
    SerialLine other(io, modem.slave_path());
    other.set_lock_dir(dir.path());
    try {
        other.open();
        FAIL();
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::DeviceInUse);
        EXPECT_NE(std::string(e.what()).find(modem.slave_path()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(other.is_open());
    line.close();
    EXPECT_FALSE(std::filesystem::exists(lock));
    other.open();
    EXPECT_TRUE(std::filesystem::exists(lock));
}

TEST(SerialLine, XoffPausesAndXonResumesTheWriteQueue) {
    asio::io_context io;
    FakeModem modem(io);
    SerialLine line(io, modem.slave_path(), SerialSettings{.flow = FlowControl::XonXoff});
    std::string got;
    std::vector<bool> flow;
    line.set_read_handler([&](const std::uint8_t* d, std::size_t n) {
        got.append(reinterpret_cast<const char*>(d), n);
    });
    line.set_flow_handler([&](bool paused) { flow.push_back(paused); });
    line.open();
    line.set_inbound_flow_control(true);  // the owner is sending page data now

    modem.send("\x13");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_TRUE(line.output_paused());
    line.write("page data");
    io.poll();
    EXPECT_EQ(line.bytes_written(), 0u);  // held back: no write was even started
    EXPECT_EQ(modem.bytes_from_host(), 0u);
    EXPECT_EQ(line.pending_write_bytes(), 9u);

    modem.send("\x11");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_FALSE(line.output_paused());
    EXPECT_EQ(modem.received(), "page data");
    EXPECT_EQ(got, "");  // XON/XOFF were taken out of the stream
    EXPECT_EQ(flow, (std::vector<bool>{true, false}));

    // Off again: 0x11/0x13 are data (e.g. received fax data) and do not pause.
    line.set_inbound_flow_control(false);
    modem.send("\x13\x11");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_EQ(got, "\x13\x11");
    EXPECT_FALSE(line.output_paused());
}

TEST(SerialLine, OwnerCanHoldOutputUntilFirstXon) {
    asio::io_context io;
    FakeModem modem(io);
    SerialLine line(io, modem.slave_path(), SerialSettings{.flow = FlowControl::XonXoff});
    line.open();
    line.pause_output();  // Class2XmitWaitForXON
    line.set_inbound_flow_control(true);
    line.write("abc");
    io.poll();
    EXPECT_EQ(line.pending_write_bytes(), 3u);
    modem.send("\x11");
    ASSERT_TRUE(settle(io, line, modem));
    EXPECT_EQ(modem.received(), "abc");
}

TEST(SerialLine, VanishingDeviceReportsErrorNamingIt) {
    asio::io_context io;
    auto modem = std::make_unique<FakeModem>(io);
    const std::string path = modem->slave_path();
    SerialLine line(io, path);
    std::string error;
    line.set_error_handler([&](const std::string& m) { error = m; });
    line.open();
    modem->vanish();
    ASSERT_TRUE(run_until(io, [&] { return !error.empty(); }));
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("vanished"), std::string::npos) << error;
    EXPECT_FALSE(line.is_open());
}

TEST(SerialLine, DestroyedWithIoPendingIsSafe) {
    asio::io_context io;
    FakeModem modem(io);
    {
        SerialLine line(io, modem.slave_path());
        line.set_read_handler([](const std::uint8_t*, std::size_t) {});
        line.open();
        line.write(std::string(10000, 'x'));
        io.poll();
    }
    modem.send("late");
    EXPECT_TRUE(run_until(io, [&] { return modem.bytes_to_host() == 4; }));
}

}  // namespace
}  // namespace faxemu
