#include "core/protocol/client.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/protocol/rpc_test_support.hpp"

namespace faxemu::test {
namespace {

using rpc::FaxClient;
using rpc::RpcError;

// The RpcError that `f` throws; fails the test if it throws nothing.
RpcError error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const RpcError& e) {
        return e;
    }
    ADD_FAILURE() << "expected an RpcError";
    return RpcError(0, "");
}

class FaxClientTest : public ServerTest {};

TEST_F(FaxClientTest, CallsFromManyThreadsGetTheirOwnAnswers) {
    FaxClient client;
    client.connect(harness().tcp_address());
    client.login("alice", "alice-pw");
    constexpr int kThreads = 8;
    constexpr int kCalls = 50;
    std::vector<std::future<int>> wrong;
    for (int t = 0; t < kThreads; ++t) {
        wrong.push_back(std::async(std::launch::async, [&client, t] {
            int mismatches = 0;
            for (int i = 0; i < kCalls; ++i) {
                if (client.call("test.add", {{"a", t * 1000}, {"b", i}}) != t * 1000 + i)
                    ++mismatches;
            }
            return mismatches;
        }));
    }
    for (auto& f : wrong) EXPECT_EQ(f.get(), 0);
}

TEST_F(FaxClientTest, AStoppedServerFailsCallsWithConnectionClosed) {
    FaxClient client;
    client.connect(harness().tcp_address());
    client.login("alice", "alice-pw");
    harness().on_io([&] { harness().server().stop(); });
    const RpcError error = error_of([&] { client.call("test.echo"); });
    EXPECT_EQ(error.code(), rpc::kIoError);
    EXPECT_EQ(std::string(error.what()),
              "faxd at " + harness().tcp_address() + ": connection closed");
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(error_of([&] { client.call("test.echo"); }).code(), rpc::kIoError);
}

TEST_F(FaxClientTest, ACallTimesOutAndTheLateAnswerIsDropped) {
    FaxClient client;
    client.connect(harness().unix_address());
    const RpcError error =
        error_of([&] { client.call("test.block", json::object(), std::chrono::milliseconds(50)); });
    EXPECT_EQ(error.code(), rpc::kIoError);
    EXPECT_NE(std::string(error.what()).find("no answer to test.block"), std::string::npos);
    open_gate();
    EXPECT_EQ(client.call("test.add", {{"a", 1}, {"b", 2}}), 3);
}

TEST_F(FaxClientTest, ClosingFailsAWaitingCall) {
    FaxClient client;
    client.connect(harness().unix_address());
    auto blocked = std::async(std::launch::async,
                              [&] { return error_of([&] { client.call("test.block"); }).code(); });
    ASSERT_TRUE(blocked_.wait_for_count(1));  // the server holds the call
    client.close();
    EXPECT_EQ(blocked.get(), rpc::kIoError);
    open_gate();
    FaxClient other;
    other.connect(harness().unix_address());
    EXPECT_EQ(other.call("test.add", {{"a", 2}, {"b", 2}}), 4);
}

TEST_F(FaxClientTest, AnOversizeRequestFailsOnlyItself) {
    FaxClient client;
    client.connect(harness().unix_address());
    const RpcError error = error_of([&] {
        client.call("test.echo", {{"blob", std::string(100 * 1024, 'b')}});
    });
    EXPECT_EQ(error.code(), rpc::kTooLarge);
    EXPECT_EQ(client.call("test.add", {{"a", 2}, {"b", 5}}), 7);
}

TEST_F(FaxClientTest, AnOversizeAnswerFailsOnlyItsCall) {
    FaxClient client(16 * 1024);
    client.connect(harness().unix_address());
    const RpcError error = error_of([&] {
        client.call("test.echo", {{"blob", std::string(32 * 1024, 'b')}});
    });
    EXPECT_EQ(error.code(), rpc::kTooLarge);
    EXPECT_EQ(client.call("test.add", {{"a", 2}, {"b", 5}}), 7);
}

TEST_F(FaxClientTest, NotificationsArriveOnTheHandlerWhichMayNotCall) {
    FaxClient client;
    Awaited<std::string> got;
    client.set_notification_handler([&](const std::string& method, const json&) {
        try {
            client.call("session.whoami");
            got.set(method + ": call allowed");
        } catch (const std::logic_error&) {
            got.set(method);
        }
    });
    client.connect(harness().unix_address());
    client.call("test.notify", {{"count", 1}});
    ASSERT_TRUE(got.wait_for_count(1));
    EXPECT_EQ(got.values()[0], "test.event");
}

TEST_F(FaxClientTest, ReconnectsAfterClose) {
    FaxClient client;
    client.connect(harness().tcp_address());
    client.close();
    client.close();
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(error_of([&] { client.call("session.whoami"); }).code(), rpc::kIoError);
    client.connect(harness().unix_address());
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(client.call("session.whoami").at("authenticated").get<bool>());
}

TEST(FaxClient, MalformedAddressesAreInvalidValues) {
    FaxClient client;
    for (const char* address : {"", ":4575", "host:0", "host:65536", "host:99999999999", "host:abc",
                                "[::1", "[::1]x", "unix:"}) {
        EXPECT_EQ(error_of([&] { client.connect(address); }).code(), rpc::kInvalidValue) << address;
    }
}

TEST(FaxClient, NothingListeningIsAnIoError) {
    // A port that was just free: bound, then released.
    asio::io_context io;
    std::uint16_t port = 0;
    {
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    FaxClient client;
    const std::string address = "127.0.0.1:" + std::to_string(port);
    const RpcError error = error_of([&] { client.connect(address); });
    EXPECT_EQ(error.code(), rpc::kIoError);
    EXPECT_NE(std::string(error.what()).find("faxd at " + address + ": cannot connect"),
              std::string::npos);
    EXPECT_EQ(error_of([&] { client.connect("unix:/nonexistent/faxd.sock"); }).code(),
              rpc::kIoError);
}

TEST(FaxClient, CallingUnconnectedIsAnIoError) {
    FaxClient client;
    EXPECT_EQ(error_of([&] { client.call("session.whoami"); }).code(), rpc::kIoError);
}

}  // namespace
}  // namespace faxemu::test
