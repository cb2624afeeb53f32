#include "core/rpc_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "core/protocol/client.hpp"
#include "tests/protocol/rpc_test_support.hpp"

namespace faxemu::test {
namespace {

using rpc::FaxClient;
using rpc::RpcError;

// The code of the RpcError that `f` throws; fails the test if it throws nothing.
int rpc_code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const RpcError& e) {
        return e.code();
    }
    ADD_FAILURE() << "expected an RpcError";
    return 0;
}

std::string rpc_message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const RpcError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected an RpcError";
    return "";
}

json request(int id, const std::string& method, const json& params = json::object()) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

class RpcServerTest : public ServerTest {
  protected:
    // A client logged in over TCP.
    std::unique_ptr<FaxClient> logged_in(const std::string& user) {
        auto client = std::make_unique<FaxClient>();
        client->connect(harness().tcp_address());
        client->login(user, user + "-pw");
        return client;
    }
};

TEST_F(RpcServerTest, LoginReportsRoleAndRights) {
    FaxClient client;
    client.connect(harness().tcp_address());
    const json admin = client.login("alice", "alice-pw");
    EXPECT_EQ(admin.at("user"), "alice");
    EXPECT_EQ(admin.at("role"), "admin");
    EXPECT_EQ(admin.at("rights").size(), 7u);
    EXPECT_TRUE(admin.at("can_modify").get<bool>());
    EXPECT_EQ(client.call("session.whoami"), admin);

    const json viewer = client.login("bob", "bob-pw");  // a new login replaces the identity
    EXPECT_EQ(viewer.at("role"), "viewer");
    EXPECT_EQ(viewer.at("rights"), json({"FAX_JOB_QUERY", "FAX_CONFIG_QUERY", "FAX_PORT_QUERY"}));
    EXPECT_FALSE(viewer.at("can_modify").get<bool>());

    const json sender = client.login("carol", "carol-pw");
    EXPECT_EQ(sender.at("rights"),
              json({"FAX_JOB_SUBMIT", "FAX_JOB_QUERY", "FAX_CONFIG_QUERY", "FAX_PORT_QUERY"}));
}

TEST_F(RpcServerTest, HandlersSeeTheSession) {
    auto bob = logged_in("bob");
    const json seen = bob->call("test.echo", {{"x", 1}});
    EXPECT_EQ(seen.at("user"), "bob");
    EXPECT_EQ(seen.at("role"), "viewer");
    EXPECT_EQ(seen.at("rights"), CallerRights::viewer().mask);
    EXPECT_EQ(seen.at("params"), json({{"x", 1}}));
}

TEST_F(RpcServerTest, WhoamiBeforeLoginSaysUnauthenticated) {
    FaxClient client;
    client.connect(harness().tcp_address());
    const json who = client.call("session.whoami");
    EXPECT_FALSE(who.at("authenticated").get<bool>());
    EXPECT_EQ(who.at("user"), "");
    EXPECT_TRUE(who.at("rights").empty());
}

TEST_F(RpcServerTest, ABadPasswordOrUnknownUserIsRefusedAlike) {
    FaxClient client;
    client.connect(harness().tcp_address());
    const auto wrong = [&] { client.login("alice", "bob-pw"); };
    const auto unknown = [&] { client.login("mallory", "alice-pw"); };
    EXPECT_EQ(rpc_code_of(wrong), rpc::kAccessDenied);
    EXPECT_EQ(rpc_code_of(unknown), rpc::kAccessDenied);
    EXPECT_EQ(rpc_message_of(wrong), rpc_message_of(unknown));  // no hint which users exist
    EXPECT_FALSE(client.call("session.whoami").at("authenticated").get<bool>());
    EXPECT_EQ(rpc_code_of([&] { client.call("test.echo"); }), rpc::kUnauthenticated);
}

TEST_F(RpcServerTest, EveryOtherMethodNeedsALogin) {
    FaxClient client;
    client.connect(harness().tcp_address());
    const std::string message = rpc_message_of([&] { client.call("test.echo"); });
    EXPECT_NE(message.find("test.echo"), std::string::npos);
    EXPECT_EQ(rpc_code_of([&] { client.call("test.echo"); }), rpc::kUnauthenticated);
    EXPECT_EQ(rpc_code_of([&] { client.call("no.such.method"); }), rpc::kUnauthenticated);
}

TEST_F(RpcServerTest, AnUnknownMethodIsNamed) {
    auto alice = logged_in("alice");
    EXPECT_EQ(rpc_code_of([&] { alice->call("port.explode"); }), rpc::kMethodNotFound);
    EXPECT_NE(rpc_message_of([&] { alice->call("port.explode"); }).find("port.explode"),
              std::string::npos);
}

TEST_F(RpcServerTest, WrongParamsAreInvalidParams) {
    auto alice = logged_in("alice");
    EXPECT_EQ(alice->call("test.add", {{"a", 2}, {"b", 3}}), 5);
    EXPECT_EQ(rpc_code_of([&] {
                  alice->call("test.add", {{"a", "2"}, {"b", 3}});
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] { alice->call("test.add", {{"a", 2}}); }), rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] {
                  alice->call("test.add", json::array({2, 3}));
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(rpc_code_of([&] {
                  alice->call("session.login", {{"user", 5}, {"password", "x"}});
              }),
              rpc::kInvalidParams);
    EXPECT_EQ(alice->call("test.add", {{"a", 1}, {"b", 1}}), 2);  // still served
}

TEST_F(RpcServerTest, HandlerExceptionsBecomeErrorCodes) {
    auto alice = logged_in("alice");
    const std::map<std::string, int> expected = {
        {"InvalidParameter", rpc::kInvalidValue},
        {"AccessDenied", rpc::kAccessDenied},
        {"NotFound", rpc::kNotFound},
        {"BadDocument", rpc::kBadDocument},
        {"DeviceInUse", rpc::kDeviceInUse},
        {"Io", rpc::kIoError},
        {"std", rpc::kInternalError},
        {"other", rpc::kInternalError},
    };
    for (const auto& [kind, code] : expected) {
        EXPECT_EQ(rpc_code_of([&] { alice->call("test.fail", {{"kind", kind}}); }), code) << kind;
    }
    EXPECT_EQ(rpc_message_of([&] {
                  alice->call("test.fail", {{"kind", "NotFound"}});
              }),
              "failed with NotFound");
    try {
        alice->call("test.fail", {{"kind", "NotFound"}});
        ADD_FAILURE() << "no error";
    } catch (const RpcError& e) {
        EXPECT_TRUE(e.data().is_null()) << e.data();  // no reason: no data
    }
    try {
        // A FaxError's reason reaches the client as the error's data.
        alice->call("test.fail", {{"kind", "reason"}});
        ADD_FAILURE() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kNotFound);
        EXPECT_EQ(e.data(), json({{"reason", "job_deleted"}}));
    }
    try {
        alice->call("test.fail", {{"kind", "rpc"}});
        ADD_FAILURE() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code(), -32099);
        EXPECT_STREQ(e.what(), "custom failure");
        EXPECT_EQ(e.data(), json({{"detail", 1}}));
    }
    EXPECT_EQ(alice->call("test.add", {{"a", 1}, {"b", 2}}), 3);
}

TEST_F(RpcServerTest, MalformedMessagesAreAnsweredOnARawSocket) {
    auto raw = RawClient::tcp(harness().tcp_port());
    raw.send("{not json\n");
    raw.send("[1,2]\n");
    raw.send(R"({"jsonrpc":"2.0","id":7})"
             "\n");
    raw.send(R"({"jsonrpc":"1.0","id":8,"method":"session.whoami"})"
             "\n");
    raw.send(R"({"jsonrpc":"2.0","method":"session.whoami"})"
             "\n");       // notification: no answer
    raw.send("\n   \n");  // blank: ignored
    raw.send(R"({"jsonrpc":"2.0","id":9,"result":1})"
             "\n");
    raw.send(R"({"jsonrpc":"2.0","id":10,"method":"session.whoami","params":"x"})"
             "\n");
    raw.send(R"({"jsonrpc":"2.0","id":11,"method":"session.whoami"})"
             "\n");
    raw.shutdown_send();  // a half-closed client still gets every answer

    std::vector<json> answers;
    while (auto line = raw.read_line()) answers.push_back(json::parse(*line));
    ASSERT_EQ(answers.size(), 7u);
    EXPECT_EQ(answers[0]["error"]["code"], rpc::kParseError);
    EXPECT_TRUE(answers[0]["id"].is_null());
    EXPECT_EQ(answers[1]["error"]["code"], rpc::kInvalidRequest);
    EXPECT_EQ(answers[2]["error"]["code"], rpc::kInvalidRequest);
    EXPECT_EQ(answers[2]["id"], 7);
    EXPECT_EQ(answers[3]["error"]["code"], rpc::kInvalidRequest);
    EXPECT_EQ(answers[3]["id"], 8);
    EXPECT_EQ(answers[4]["error"]["code"], rpc::kInvalidRequest);
    EXPECT_EQ(answers[4]["id"], 9);
    EXPECT_EQ(answers[5]["error"]["code"], rpc::kInvalidParams);
    EXPECT_EQ(answers[5]["id"], 10);
    EXPECT_EQ(answers[6]["id"], 11);
    EXPECT_EQ(answers[6]["jsonrpc"], "2.0");
    EXPECT_FALSE(answers[6]["result"]["authenticated"].get<bool>());
}

TEST_F(RpcServerTest, AnOversizeLineIsSkippedAndTheConnectionStaysUsable) {
    auto raw = RawClient::tcp(harness().tcp_port());
    // Sent in pieces, as a big upload arrives.
    raw.send(R"({"id":5,"jsonrpc":"2.0","method":"session.whoami","params":{"x":")");
    const std::string chunk(16 * 1024, 'x');
    for (int i = 0; i < 10; ++i) raw.send(chunk);
    const json too_large = raw.read_json();  // answered before the line even ends
    EXPECT_EQ(too_large["error"]["code"], rpc::kTooLarge);
    EXPECT_EQ(too_large["id"], 5);
    raw.send(chunk);
    raw.send("\"}}\n");
    raw.send_json(request(6, "session.whoami"));
    const json next = raw.read_json();
    EXPECT_EQ(next["id"], 6);
    EXPECT_TRUE(next.contains("result"));
}

TEST_F(RpcServerTest, AClientGoneMidLineLeavesTheOthersServed) {
    auto alice = logged_in("alice");
    {
        auto raw = RawClient::tcp(harness().tcp_port());
        raw.send_json(request(1, "session.whoami"));
        raw.read_json();  // its session is up
        raw.send(R"({"jsonrpc":"2.0","id":2,"method":"sess)");
    }  // closed mid-line
    {
        auto raw = RawClient::unix_socket(harness().socket_path());
        raw.send(R"({"jsonrpc":"2.0","id":2,"method":"test.echo","params":{"x":)");
    }
    EXPECT_EQ(alice->call("test.add", {{"a", 2}, {"b", 2}}), 4);
    FaxClient fresh;
    fresh.connect(harness().tcp_address());
    EXPECT_NO_THROW(fresh.call("session.whoami"));
}

TEST_F(RpcServerTest, NotificationsReachLoggedInSessionsOnly) {
    Awaited<json> alice_got;
    Awaited<json> stranger_got;
    auto alice = std::make_unique<FaxClient>();
    alice->set_notification_handler([&](const std::string& method, const json& params) {
        alice_got.set({method, params});
    });
    alice->connect(harness().tcp_address());
    alice->login("alice", "alice-pw");
    FaxClient stranger;
    stranger.set_notification_handler([&](const std::string& method, const json& params) {
        stranger_got.set({method, params});
    });
    stranger.connect(harness().tcp_address());
    auto bob = logged_in("bob");

    EXPECT_EQ(bob->call("test.notify", {{"count", 2}}), 2);
    ASSERT_TRUE(alice_got.wait_for_count(2));
    EXPECT_EQ(alice_got.values()[0], json({"test.event", {{"i", 0}, {"blob", ""}}}));
    // Anything queued for the stranger would have been written before this answer.
    stranger.call("session.whoami");
    EXPECT_TRUE(stranger_got.values().empty());

    // From a thread that is not the io thread.
    harness().server().notify_all("port.status", {{"status", {{"device_id", 1}}}});
    ASSERT_TRUE(alice_got.wait_for_count(3));
    EXPECT_EQ(alice_got.values()[2][0], "port.status");
    stranger.call("session.whoami");
    EXPECT_TRUE(stranger_got.values().empty());
}

TEST_F(RpcServerTest, AUnixSocketPeerOfTheSameUserIsAdminWithoutLogin) {
    FaxClient client;
    client.connect(harness().unix_address());
    const json who = client.call("session.whoami");
    EXPECT_TRUE(who.at("authenticated").get<bool>());
    EXPECT_EQ(who.at("role"), "admin");
    EXPECT_FALSE(who.at("user").get<std::string>().empty());
    EXPECT_EQ(client.call("test.echo").at("rights"), access::All);
    // The socket is for faxd's user and group only.
    const auto mode = std::filesystem::status(harness().socket_path()).permissions();
    EXPECT_EQ(mode & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::group_write);
}

TEST_F(RpcServerTest, ASlowReaderIsDroppedWithoutStallingOthers) {
    auto sleeper = RawClient::unix_socket(harness().socket_path());  // admin: gets notifications
    sleeper.send_json(request(1, "session.whoami"));
    ASSERT_TRUE(sleeper.read_json()["result"]["authenticated"].get<bool>());

    Awaited<int> alice_got;
    FaxClient alice;
    alice.set_notification_handler([&](const std::string&, const json&) { alice_got.set(1); });
    alice.connect(harness().tcp_address());
    alice.login("alice", "alice-pw");

    // 40 rounds of 8 x 16 KiB: 5 MiB, far more than socket buffers plus the 256 KiB
    // queue. Alice reads as they come; each round's burst fits her queue.
    constexpr int kRounds = 40;
    constexpr int kPerRound = 8;
    constexpr int kSize = 16 * 1024;
    for (int round = 0; round < kRounds; ++round)
        alice.call("test.notify", {{"count", kPerRound}, {"size", kSize}});
    ASSERT_TRUE(alice_got.wait_for_count(kRounds * kPerRound));

    // The sleeper was cut off: what it can still read ends well short of 5 MiB.
    const std::size_t read = sleeper.drain_until_eof();
    EXPECT_LT(read, std::size_t{kRounds * kPerRound} * kSize / 2);
    EXPECT_EQ(alice.call("test.add", {{"a", 1}, {"b", 1}}), 2);
}

// 10,000 state changes in one burst, far over the 32 queued messages a
// session may hold: a client that reads is not dropped, gets fewer lines than
// changes, and ends with each port's latest state.
TEST_F(RpcServerTest, ABurstOfStatesReachesAReadingClientCoalesced) {
    auto reader = RawClient::unix_socket(harness().socket_path());  // admin: gets notifications
    reader.send_json(request(1, "session.whoami"));
    ASSERT_TRUE(reader.read_json()["result"]["authenticated"].get<bool>());
    auto alice = logged_in("alice");

    constexpr int kPorts = 100;
    constexpr int kRounds = 100;
    EXPECT_EQ(alice->call("test.states", {{"ports", kPorts}, {"rounds", kRounds}, {"size", 200}}),
              kPorts * kRounds);

    // Everything queued before this answer comes before it.
    reader.send_json(request(2, "test.add", {{"a", 1}, {"b", 1}}));
    std::map<int, int> latest;  // device id -> round
    int lines = 0;
    for (;;) {
        const json message = reader.read_json();
        if (message.contains("id")) {
            EXPECT_EQ(message.at("id"), 2);
            EXPECT_EQ(message.at("result"), 2);
            break;
        }
        ASSERT_EQ(message.at("method"), "port.status");
        const json& status = message.at("params").at("status");
        const int port = status.at("device_id").get<int>();
        const int round = status.at("round").get<int>();
        EXPECT_GT(round, latest.count(port) ? latest[port] : -1) << "an older state came later";
        latest[port] = round;
        ++lines;
    }
    ASSERT_EQ(latest.size(), std::size_t{kPorts});
    for (const auto& [port, round] : latest) EXPECT_EQ(round, kRounds - 1) << "port " << port;
    EXPECT_LT(lines, kPorts * kRounds / 2);
}

// The bound stays for a client that reads nothing: one state per key, up to
// max_queued_states (1000 here) keys.
TEST_F(RpcServerTest, AClientThatReadsNothingIsDroppedByStatesToo) {
    auto sleeper = RawClient::unix_socket(harness().socket_path());
    sleeper.send_json(request(1, "session.whoami"));
    ASSERT_TRUE(sleeper.read_json()["result"]["authenticated"].get<bool>());
    auto alice = logged_in("alice");
    EXPECT_EQ(alice->call("test.mute"), true);  // she would hold the whole burst as well

    constexpr int kPorts = 5000;
    constexpr int kSize = 1024;
    EXPECT_EQ(alice->call("test.states", {{"ports", kPorts}, {"rounds", 1}, {"size", kSize}}),
              kPorts);
    const std::size_t read = sleeper.drain_until_eof();
    EXPECT_LT(read, std::size_t{kPorts} * kSize / 2);
    EXPECT_EQ(alice->call("test.add", {{"a", 1}, {"b", 1}}), 2);
}

// Session::wants (faxd's session.subscribe) decides which notifications a session gets.
TEST_F(RpcServerTest, ASessionGetsOnlyTheNotificationsItWants) {
    Awaited<std::string> carol_got;
    FaxClient carol;
    carol.set_notification_handler(
        [&](const std::string& method, const json&) { carol_got.set(method); });
    carol.connect(harness().tcp_address());
    carol.login("carol", "carol-pw");
    EXPECT_EQ(carol.call("test.mute", {{"methods", {"port.status"}}}), true);
    auto bob = logged_in("bob");
    EXPECT_EQ(bob->call("test.notify", {{"count", 3}}), 3);
    EXPECT_EQ(bob->call("test.states", {{"ports", 1}, {"rounds", 1}}), 1);
    ASSERT_TRUE(carol_got.wait_for_count(1));
    carol.call("session.whoami");  // anything queued before comes before this answer
    EXPECT_EQ(carol_got.values(), std::vector<std::string>{"port.status"});
}

TEST_F(RpcServerTest, ListenUnixReplacesOnlyAStaleSocket) {
    // A live server's socket is not taken over.
    asio::io_context io;
    RpcServer other(io, test_users());
    EXPECT_EQ(code_of([&] { other.listen_unix(harness().socket_path()); }), ErrorCode::Io);

    // Nor is a file that is not a socket.
    const auto file = dir_.path() / "plain";
    std::ofstream(file) << "x";
    EXPECT_EQ(code_of([&] { other.listen_unix(file); }), ErrorCode::Io);
    EXPECT_TRUE(std::filesystem::exists(file));
}

TEST(RpcServer, ListenUnixReplacesAStaleSocketAndRemovesItOnStop) {
    TempDir dir;
    const auto path = dir.path() / "faxd.sock";
    asio::io_context io;
    {
        // Left behind as after a crash: bound, closed, never unlinked.
        asio::local::stream_protocol::acceptor stale(io, path.string());
    }
    ASSERT_TRUE(std::filesystem::is_socket(path));
    RpcServer server(io, test_users());
    server.listen_unix(path);
    {
        auto raw = RawClient::unix_socket(path);  // accepted by the kernel's backlog
    }
    server.stop();
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(RpcServer, ListenTcpOnABusyPortIsAnIoError) {
    asio::io_context io;
    RpcServer first(io, test_users());
    first.listen_tcp("127.0.0.1", 0);
    RpcServer second(io, test_users());
    try {
        second.listen_tcp("127.0.0.1", first.tcp_port());
        ADD_FAILURE() << "listened twice";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find(std::to_string(first.tcp_port())), std::string::npos);
    }
}

TEST(RpcServer, HandlersCannotReplaceTheBuiltIns) {
    asio::io_context io;
    RpcServer server(io, test_users());
    EXPECT_EQ(code_of([&] {
                  server.handle("session.login",
                                [](RpcServer::Session&, const json&) { return json(); });
              }),
              ErrorCode::InvalidParameter);
}

class RpcServerLimitsTest : public ServerTest {
  protected:
    RpcServer::Limits limits() const override {
        RpcServer::Limits l = ServerTest::limits();
        l.max_unauthenticated = 2;
        l.max_authenticated = 2;
        return l;
    }
};

class RpcServerLoginTimeoutTest : public ServerTest {
  protected:
    RpcServer::Limits limits() const override {
        RpcServer::Limits l = ServerTest::limits();
        l.login_timeout = std::chrono::milliseconds(200);
        return l;
    }
};

// Strangers have their own budget: filling it locks out neither the users who
// log in nor the local admin.
TEST_F(RpcServerLimitsTest, StrangersCannotLockOutUsersOrTheLocalAdmin) {
    auto first = RawClient::tcp(harness().tcp_port());
    auto second = RawClient::tcp(harness().tcp_port());
    for (auto* raw : {&first, &second}) {
        raw->send_json(request(1, "session.whoami"));
        raw->read_json();
    }
    auto third = RawClient::tcp(harness().tcp_port());
    EXPECT_EQ(third.drain_until_eof(), 0u);  // over max_unauthenticated: closed at once

    // The local admin always gets in, however many are connected.
    std::vector<RawClient> admins;
    for (int i = 0; i < 5; ++i) {
        admins.push_back(RawClient::unix_socket(harness().socket_path()));
        admins.back().send_json(request(i, "session.whoami"));
        EXPECT_TRUE(admins.back().read_json()["result"]["authenticated"].get<bool>());
    }

    // A stranger who logs in moves to the logged-in budget and frees a place.
    first.send_json(request(2, "session.login", {{"user", "alice"}, {"password", "alice-pw"}}));
    EXPECT_TRUE(first.read_json().contains("result"));
    auto fourth = RawClient::tcp(harness().tcp_port());
    fourth.send_json(request(3, "session.whoami"));
    EXPECT_EQ(fourth.read_json()["id"], 3);

    // With max_authenticated reached, one more login is refused and its session closed.
    second.send_json(request(4, "session.login", {{"user", "bob"}, {"password", "bob-pw"}}));
    EXPECT_TRUE(second.read_json().contains("result"));
    fourth.send_json(request(5, "session.login", {{"user", "carol"}, {"password", "carol-pw"}}));
    const json refused = fourth.read_json();
    EXPECT_EQ(refused["error"]["code"], rpc::kTooLarge) << refused.dump();
    EXPECT_EQ(fourth.drain_until_eof(), 0u);
    first.send_json(request(6, "session.whoami"));
    EXPECT_EQ(first.read_json()["result"]["user"], "alice");
}

// Before login a line may hold a login and little more.
TEST_F(RpcServerTest, BeforeLoginOnlyShortLinesAreRead) {
    auto raw = RawClient::tcp(harness().tcp_port());
    const std::string filler(20 * 1024, 'x');  // over 16 KiB, under the 64 KiB of a user
    raw.send(R"({"id":1,"jsonrpc":"2.0","method":"session.whoami","params":{"x":")" + filler +
             "\"}}\n");
    const json before = raw.read_json();
    EXPECT_EQ(before["error"]["code"], rpc::kTooLarge) << before.dump();
    EXPECT_NE(before["error"]["message"].get<std::string>().find("before_login"),
              std::string::npos);
    raw.send_json(request(2, "session.login", {{"user", "alice"}, {"password", "alice-pw"}}));
    EXPECT_TRUE(raw.read_json().contains("result"));
    raw.send(R"({"id":3,"jsonrpc":"2.0","method":"test.echo","params":{"x":")" + filler + "\"}}\n");
    const json after = raw.read_json();
    EXPECT_EQ(after["id"], 3);
    EXPECT_TRUE(after.contains("result")) << after.dump().substr(0, 300);
}

TEST_F(RpcServerLoginTimeoutTest, AStrangerWhoNeverLogsInIsClosed) {
    auto stranger = RawClient::tcp(harness().tcp_port());
    stranger.send_json(request(1, "session.whoami"));
    EXPECT_FALSE(stranger.read_json()["result"]["authenticated"].get<bool>());
    EXPECT_EQ(stranger.drain_until_eof(), 0u);  // closed at the login deadline

    // A session that logged in stays.
    FaxClient alice;
    alice.connect(harness().tcp_address());
    alice.login("alice", "alice-pw");
    auto admin = RawClient::unix_socket(harness().socket_path());  // admin at once: stays too
    admin.send_json(request(1, "session.whoami"));
    admin.read_json();
    // Connected after both, a second stranger is closed after their deadlines too.
    auto later = RawClient::tcp(harness().tcp_port());
    EXPECT_EQ(later.drain_until_eof(), 0u);
    EXPECT_EQ(alice.call("test.add", {{"a", 1}, {"b", 2}}), 3);
    admin.send_json(request(2, "session.whoami"));
    EXPECT_EQ(admin.read_json()["id"], 2);
}

// A line nlohmann throws on in an unusual way (out_of_range, not parse_error)
// is answered like any bad line, and the session still ends with its socket.
TEST_F(RpcServerTest, ANumberOutOfRangeIsAnsweredAndTheSessionEndsWithItsSocket) {
    const std::string bad = R"({"jsonrpc":"2.0","id":1,"method":"ports.list","params":{"x":1e400}})"
                            "\n";
    auto admin = RawClient::unix_socket(harness().socket_path());
    admin.send(bad);
    EXPECT_EQ(admin.read_json()["error"]["code"], rpc::kParseError);
    admin.send_json(request(2, "session.whoami"));
    EXPECT_EQ(admin.read_json()["id"], 2);
    admin.close();
    for (int i = 0; i < 3; ++i) {
        auto raw = RawClient::tcp(harness().tcp_port());
        raw.send(bad);
        EXPECT_EQ(raw.read_json()["error"]["code"], rpc::kParseError);
    }
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    std::size_t open = 0;
    while ((open = harness().on_io([&] { return harness().server().session_count(); })) > 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(open, 0u) << "sessions outlived their sockets";
}

class RpcServerBackoffTest : public ServerTest {
  protected:
    RpcServer::Limits limits() const override {
        RpcServer::Limits l = ServerTest::limits();
        l.login_free_failures = 2;
        l.login_backoff = std::chrono::milliseconds(300);
        l.login_backoff_max = std::chrono::seconds(1);
        return l;
    }
    json login(RawClient& raw, const std::string& user, const std::string& password) {
        raw.send_json(request(1, "session.login", {{"user", user}, {"password", password}}));
        return raw.read_json();
    }
    static std::string error_of(const json& answer) {
        return answer.contains("error") ? answer["error"]["message"].get<std::string>() : "";
    }
};

// Guessing passwords earns a wait, during which even the right one is refused
// unchecked; an unknown user and a wrong password are answered alike.
TEST_F(RpcServerBackoffTest, FailedLoginsEarnAWaitPerAddressAndUser) {
    auto raw = RawClient::tcp(harness().tcp_port());
    const std::string failed = "login failed: unknown user or wrong password";
    EXPECT_EQ(error_of(login(raw, "alice", "guess-1")), failed);
    EXPECT_EQ(error_of(login(raw, "nobody", "guess-2")), failed);
    EXPECT_EQ(error_of(login(raw, "alice", "guess-3")), failed);  // third: the wait starts
    const auto refused_at = std::chrono::steady_clock::now();
    const std::string refused = error_of(login(raw, "alice", "alice-pw"));
    EXPECT_NE(refused.find("too many failed logins"), std::string::npos) << refused;
    // Another connection from the same address waits too.
    auto other = RawClient::tcp(harness().tcp_port());
    EXPECT_NE(error_of(login(other, "carol", "carol-pw")).find("too many failed logins"),
              std::string::npos);

    // Once the wait is over the right password is taken, and the count starts afresh.
    json answer;
    const auto deadline = refused_at + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
        answer = login(raw, "alice", "alice-pw");
        if (answer.contains("result")) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(answer.contains("result")) << answer.dump();
    EXPECT_GE(std::chrono::steady_clock::now() - refused_at, std::chrono::milliseconds(200));
    EXPECT_EQ(error_of(login(other, "carol", "wrong")), failed);
}

// The local admin needs no password and so never meets the back-off.
TEST_F(RpcServerBackoffTest, TheLocalAdminIsNeverLockedOut) {
    auto raw = RawClient::tcp(harness().tcp_port());
    for (int i = 0; i < 4; ++i) login(raw, "alice", "wrong");
    auto admin = RawClient::unix_socket(harness().socket_path());
    admin.send_json(request(1, "test.add", {{"a", 1}, {"b", 2}}));
    EXPECT_EQ(admin.read_json()["result"], 3);
}

}  // namespace
}  // namespace faxemu::test
