// faxd's HttpListener on its own: prefix routes, request headers, default
// headers, and its WebSockets (a peer that reads nothing is dropped, not
// waited for).
#include <gtest/gtest.h>

#include <map>

#include "tests/tools/web_client.hpp"
#include "tools/faxd/http_listener.hpp"

namespace faxemu::faxd {
namespace {

using Clock = std::chrono::steady_clock;

HttpResponse text(std::string body) {
    return {200, "text/plain", std::move(body), {}};
}

TEST(HttpListener, PrefixRoutesHeadersAndDefaultHeaders) {
    HttpListener http;
    http.set_default_headers({{"X-Everywhere", "yes"}});
    http.route("/a", {"GET"}, [](const HttpRequest&, HttpResponder r) { r(text("exact")); });
    http.route_prefix("/a/", {"GET"},
                      [](const HttpRequest& q, HttpResponder r) { r(text("short " + q.path)); });
    http.route_prefix("/a/b/", {"GET", "POST"}, [](const HttpRequest& q, HttpResponder r) {
        r(text("long " + q.header("x-thing") + " " + q.remote_address + " " + q.body));
    });
    http.start("127.0.0.1", 0);
    const auto port = http.port();
    EXPECT_EQ(test::http_get(port, "/a").body, "exact");
    EXPECT_EQ(test::http_get(port, "/a/x").body, "short /a/x");
    EXPECT_EQ(test::http_request(port, "POST", "/a/b/c", {{"X-Thing", "hello"}}, "body").body,
              "long hello 127.0.0.1 body");
    const test::HttpAnswer missing = test::http_get(port, "/b");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.headers.at("x-everywhere"), "yes");
    EXPECT_EQ(test::http_request(port, "POST", "/a/x").status, 405);
}

TEST(HttpListener, AWebSocketWhosePeerReadsNothingIsDropped) {
    HttpListener http;
    http.set_max_unsent_bytes(256 * 1024);
    http.websocket("/ws", [](const HttpRequest& q) {
        if (q.header("cookie") == "ok") return WebSocketAdmission{"k", {}};
        return WebSocketAdmission{std::nullopt, {401, "text/plain", "", {}}};
    });
    http.start("127.0.0.1", 0);

    test::WebSocketReader refused;
    EXPECT_EQ(refused.open(http.port(), "/ws", "no", ""), 401);
    test::WebSocketReader reader;
    ASSERT_EQ(reader.open(http.port(), "/ws", "ok", ""), 101);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (http.websocket_count() != 1 && Clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(http.websocket_count(), 1u);
    http.send_to_websockets("first");
    ASSERT_EQ(reader.next(deadline), "first");

    // The reader stops reading: frames pile up in the kernel, then in the
    // listener, until the socket is dropped.
    const std::string frame(64 * 1024, 'x');
    for (int i = 0; i < 4000 && http.websocket_count() != 0 && Clock::now() < deadline; ++i) {
        http.send_to_websockets(frame);
        // Let the listener's thread keep up, so that frames are not only queued as posts.
        if (i % 16 == 15) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(http.websocket_count(), 0u) << "a peer that reads nothing was not dropped";
}

// 10,000 states of 100 keys (40 MB) to a peer that reads only after: far over
// its 1 MiB bound, yet it is not dropped, as its queue holds one frame per key,
// and it ends with each key's latest state.
TEST(HttpListener, ABurstOfStatesReachesAPeerThatReadsLateCoalesced) {
    HttpListener http;
    http.set_max_unsent_bytes(1024 * 1024);
    http.websocket("/ws", [](const HttpRequest&) { return WebSocketAdmission{"k", {}}; });
    http.start("127.0.0.1", 0);
    test::WebSocketReader reader;
    ASSERT_EQ(reader.open(http.port(), "/ws", "ok", ""), 101);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (http.websocket_count() != 1 && Clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(http.websocket_count(), 1u);

    constexpr int kKeys = 100;
    constexpr int kRounds = 100;
    const std::string padding(4000, 'p');
    for (int round = 0; round < kRounds; ++round)
        for (int key = 0; key < kKeys; ++key)
            http.send_to_websockets(
                std::to_string(key) + " " + std::to_string(round) + " " + padding,
                std::to_string(key));
    std::map<int, int> latest;
    int done = 0;
    while (done < kKeys) {
        const auto frame = reader.next(deadline);
        ASSERT_TRUE(frame) << "dropped, or no frame in time; " << done << " keys done";
        const int key = std::stoi(*frame);
        const int round = std::stoi(frame->substr(frame->find(' ') + 1));
        EXPECT_GT(round, latest.count(key) ? latest[key] : -1) << "an older state came later";
        latest[key] = round;
        if (round == kRounds - 1) ++done;
    }
    EXPECT_EQ(http.websocket_count(), 1u);
}

TEST(HttpListener, WebSocketsOfAKeyCloseOnRequest) {
    HttpListener http;
    http.websocket("/ws", [](const HttpRequest& q) {
        return WebSocketAdmission{q.header("cookie"), {}};
    });
    http.start("127.0.0.1", 0);
    test::WebSocketReader a;
    test::WebSocketReader b;
    ASSERT_EQ(a.open(http.port(), "/ws", "a", ""), 101);
    ASSERT_EQ(b.open(http.port(), "/ws", "b", ""), 101);
    http.close_websockets("a");
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    EXPECT_EQ(a.next(deadline), std::nullopt);
    http.send_to_websockets("still here");
    EXPECT_EQ(b.next(deadline), "still here");
}

}  // namespace
}  // namespace faxemu::faxd
