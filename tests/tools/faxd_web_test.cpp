// faxd's web console ([web] listen) over real TCP sockets, as a browser talks
// to it: login and its back-off (shared with the control protocol), cookie
// flags, CSRF, roles through /api/call, live notifications on the WebSocket
// during a real fax between the simulated ports, the received fax's page as
// PNG, the pages' security headers, no path outside the embedded files, and
// no large body taken from a request without a session.
#include <gtest/gtest.h>

#include <fstream>

#include "core/image_compare.hpp"
#include "core/protocol/error_codes.hpp"
#include "tests/support/fax_images.hpp"
#include "tests/tools/faxd_harness.hpp"
#include "tests/tools/web_client.hpp"

namespace faxemu {
namespace {

using test::HttpAnswer;
using test::json;
using test::WebBrowser;
using Clock = std::chrono::steady_clock;

constexpr char kCsp[] = "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'";

struct WebFaxd : ::testing::Test {
    test::FaxdHarness faxd{[](faxd::Config& c) {
        c.web_listen = "127.0.0.1:0";
        // The back-off starts at the second failure and lasts long enough to see.
        c.control_limits.login_free_failures = 1;
        c.control_limits.login_backoff = std::chrono::minutes(1);
    }};
    std::uint16_t port() const { return faxd.daemon->web_port(); }
    WebBrowser browser() const { return WebBrowser{port(), "", ""}; }
    WebBrowser logged_in(const std::string& user) const {
        WebBrowser b = browser();
        EXPECT_EQ(b.login(user, test::kPassword).status, 200);
        return b;
    }
};

TEST_F(WebFaxd, LoginSetsAStrictHttpOnlyCookieAndTheSessionAnswers) {
    ASSERT_NE(port(), 0);
    WebBrowser b = browser();
    EXPECT_EQ(b.get("/api/session").status, 401);
    const HttpAnswer a = b.login("viewer", test::kPassword);
    ASSERT_EQ(a.status, 200) << a.body;
    const std::string cookie = a.headers.at("set-cookie");
    EXPECT_EQ(cookie.rfind("faxemu_session=", 0), 0u) << cookie;
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
    EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "no TLS, no Secure: " << cookie;
    // 32 random bytes as hex.
    EXPECT_EQ(b.cookie.size(), std::string("faxemu_session=").size() + 64) << b.cookie;
    const json body = json::parse(a.body);
    EXPECT_EQ(body["user"], "viewer");
    EXPECT_EQ(body["role"], "viewer");
    EXPECT_EQ(body["csrf"].get<std::string>().size(), 64u);

    const HttpAnswer s = b.get("/api/session");
    ASSERT_EQ(s.status, 200);
    EXPECT_EQ(json::parse(s.body)["csrf"], body["csrf"]);
    EXPECT_EQ(json::parse(s.body)["user"], "viewer");

    EXPECT_EQ(b.post("/api/logout", json::object()).status, 204);
    EXPECT_EQ(b.get("/api/session").status, 401);
}

TEST_F(WebFaxd, AWrongPasswordIs401AndALoginMustBeJson) {
    WebBrowser b = browser();
    const HttpAnswer bad = b.login("admin", "wrong");
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(json::parse(bad.body)["error"]["code"], rpc::kAccessDenied);
    EXPECT_EQ(bad.headers.count("set-cookie"), 0u);
    // As a cross-site form would post it.
    const HttpAnswer form = test::http_request(
        port(), "POST", "/api/login", {{"Content-Type", "application/x-www-form-urlencoded"}},
        "user=admin&password=correct+horse");
    EXPECT_EQ(form.status, 415);
    EXPECT_EQ(form.headers.count("set-cookie"), 0u);
}

TEST_F(WebFaxd, FailuresOverTheControlProtocolBackOffTheWebLoginAndBack) {
    // Two failures over the control protocol: the second starts the back-off.
    auto control = faxd.client("");
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(test::rpc_code_of([&] { control->login("sender", "wrong"); }),
                  rpc::kAccessDenied);
    WebBrowser b = browser();
    const HttpAnswer refused = b.login("sender", test::kPassword);
    EXPECT_EQ(refused.status, 429) << refused.body;
    ASSERT_EQ(refused.headers.count("retry-after"), 1u);
    EXPECT_GT(std::stoi(refused.headers.at("retry-after")), 0);
    EXPECT_EQ(refused.headers.count("set-cookie"), 0u);

    // And the web's failures count over the control protocol (same address, same user).
    test::FaxdHarness other{[](faxd::Config& c) {
        c.web_listen = "127.0.0.1:0";
        c.control_limits.login_free_failures = 1;
        c.control_limits.login_backoff = std::chrono::minutes(1);
    }};
    WebBrowser w{other.daemon->web_port(), "", ""};
    EXPECT_EQ(w.login("viewer", "wrong").status, 401);
    EXPECT_EQ(w.login("viewer", "wrong").status, 401);
    EXPECT_EQ(w.login("viewer", test::kPassword).status, 429);
    auto c2 = other.client("");
    try {
        c2->login("viewer", test::kPassword);
        ADD_FAILURE() << "the control protocol ignored the web's failures";
    } catch (const rpc::RpcError& e) {
        EXPECT_NE(std::string(e.what()).find("too many failed logins"), std::string::npos)
            << e.what();
    }
}

TEST_F(WebFaxd, APostWithoutItsCsrfTokenIsRefused) {
    WebBrowser b = logged_in("admin");
    const json call = {{"method", "ports.list"}, {"params", json::object()}};
    for (const std::string& token : {std::string(), std::string("0123"), b.csrf + "0"}) {
        test::HttpHeaders h{{"Content-Type", "application/json"}, {"Cookie", b.cookie}};
        if (!token.empty()) h.emplace_back("X-CSRF-Token", token);
        const HttpAnswer a = test::http_request(port(), "POST", "/api/call", h, call.dump());
        EXPECT_EQ(a.status, 403) << token;
        EXPECT_EQ(json::parse(a.body)["error"]["message"], "missing or wrong CSRF token");
    }
    // Logout is a POST too.
    EXPECT_EQ(b.post("/api/logout", json::object(), "wrong").status, 403);
    EXPECT_EQ(b.get("/api/session").status, 200);
    const auto [status, body] = b.call("ports.list");
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body["result"].size(), 2u);
    // No session: 401 whatever the token.
    WebBrowser stranger = browser();
    EXPECT_EQ(stranger.call("ports.list").first, 401);
}

TEST_F(WebFaxd, ViewerRefusedPortSetAdminSeenOverControl) {
    WebBrowser viewer = logged_in("viewer");
    const auto [refused, why] = viewer.call("port.set", {{"device_id", 1}, {"rings", 5}});
    EXPECT_EQ(refused, 403) << why;
    EXPECT_EQ(why["error"]["code"], rpc::kAccessDenied);

    WebBrowser admin = logged_in("admin");
    const auto [ok, set] = admin.call("port.set", {{"device_id", 1}, {"rings", 5}});
    EXPECT_EQ(ok, 200) << set;
    auto control = faxd.client("viewer");
    EXPECT_EQ(control->call("port.get", {{"device_id", 1}})["rings"], 5);

    EXPECT_EQ(admin.call("port.get", {{"device_id", 99}}).first, 404);
    EXPECT_EQ(admin.call("port.set", {{"device_id", 1}, {"rings", "many"}}).first, 400);
    EXPECT_EQ(admin.call("no.such.method").first, 404);
    EXPECT_EQ(admin.call("session.login", {{"user", "admin"}, {"password", "x"}}).first, 404);
}

// Reads frames until `done(method, params)` or the deadline.
bool read_until(test::WebSocketReader& ws, const std::function<bool(const json&)>& done,
                std::vector<std::string>& seen) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (auto text = ws.next(deadline)) {
        const json message = json::parse(*text);
        seen.push_back(message["method"]);
        if (done(message)) return true;
    }
    return false;
}

TEST_F(WebFaxd, TheWebSocketCarriesPortStatusAndJobChangesOfARealFax) {
    WebBrowser b = logged_in("sender");
    const std::string origin = "http://127.0.0.1:" + std::to_string(port());
    {
        test::WebSocketReader anonymous;
        EXPECT_EQ(anonymous.open(port(), "/api/events", "", origin), 401);
        test::WebSocketReader foreign;
        EXPECT_EQ(foreign.open(port(), "/api/events", b.cookie, "http://evil.example"), 403);
        test::WebSocketReader elsewhere;
        EXPECT_EQ(elsewhere.open(port(), "/api/nothing", b.cookie, origin), 404);
    }
    test::WebSocketReader ws;
    ASSERT_EQ(ws.open(port(), "/api/events", b.cookie, origin), 101);

    const auto [status, submitted] =
        b.call("job.submit",
               {{"number", "5551002"},
                {"document", test::document_base64(test::fixture("documents/short-std-mmr.tif"))}});
    ASSERT_EQ(status, 200) << submitted;
    const std::int64_t job = submitted["result"]["job_id"];

    // Each seen once before the job's end (the reception may end before it).
    bool port_busy = false;
    bool received = false;
    std::vector<std::string> seen;
    EXPECT_TRUE(read_until(
        ws,
        [&](const json& m) {
            if (m["method"] == "port.status" &&
                m["params"]["status"]["device_status_text"] == "Sending")
                port_busy = true;
            if (m["method"] == "received.changed") received = true;
            return port_busy && received && m["method"] == "job.changed" &&
                   m["params"]["job"]["job_id"] == job &&
                   m["params"]["job"]["state"] == "completed";
        },
        seen))
        << "last seen: " << (seen.empty() ? "nothing" : seen.back()) << "; port busy " << port_busy
        << ", received " << received;

    // Logging out closes the session's WebSockets.
    EXPECT_EQ(b.post("/api/logout", json::object()).status, 204);
    EXPECT_FALSE(read_until(
        ws, [](const json&) { return false; }, seen));
}

// GET `path` until it is no longer 202 (being converted), within a deadline.
HttpAnswer get_converted(const WebBrowser& b, const std::string& path) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (;;) {
        HttpAnswer a = b.get(path);
        if (a.status != 202 || Clock::now() > deadline) return a;
        EXPECT_EQ(a.headers.at("retry-after"), "1");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the page asks again
    }
}

TEST_F(WebFaxd, AReceivedFaxsPageIsAPngOfItsOwnPixelsAndDownloadsAsTiffAndPdf) {
    auto admin = faxd.client("admin");
    test::submit_short_fax(*admin);
    const json fax = test::wait_for_first_reception(*admin);
    ASSERT_FALSE(fax.is_null());
    const std::string id = std::to_string(fax["id"].get<std::int64_t>());
    test::fetch_received(*admin, fax["id"], faxd.tmp.path() / "fax.tif");

    WebBrowser b = logged_in("viewer");
    EXPECT_EQ(browser().get("/api/received/" + id + ".tiff").status, 401);

    const HttpAnswer tiff = get_converted(b, "/api/received/" + id + ".tiff");
    ASSERT_EQ(tiff.status, 200);
    EXPECT_EQ(tiff.headers.at("content-type"), "image/tiff");
    EXPECT_EQ(tiff.headers.at("content-disposition"),
              "attachment; filename=\"fax-" + id + ".tiff\"");
    std::ifstream in(faxd.tmp.path() / "fax.tif", std::ios::binary);
    EXPECT_TRUE(tiff.body == std::string(std::istreambuf_iterator<char>(in), {}));

    const HttpAnswer pdf = get_converted(b, "/api/received/" + id + ".pdf");
    ASSERT_EQ(pdf.status, 200);
    EXPECT_EQ(pdf.headers.at("content-type"), "application/pdf");
    EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);

    const HttpAnswer png = get_converted(b, "/api/received/" + id + "/page/1.png");
    ASSERT_EQ(png.status, 200) << png.body;
    EXPECT_EQ(png.headers.at("content-type"), "image/png");
    std::ofstream(faxd.tmp.path() / "page.png", std::ios::binary) << png.body;
    const auto page = test::read_png(faxd.tmp.path() / "page.png");
    const auto pages = read_bilevel_pages(faxd.tmp.path() / "fax.tif");
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(page.page.width, pages[0].width);
    EXPECT_EQ(page.page.height, pages[0].height);
    EXPECT_TRUE(page.page.bits == pages[0].bits) << "the PNG's pixels differ from the fax's";

    // The thumbnail: 160 pixels wide, grey, the page's proportions.
    const HttpAnswer thumb = get_converted(b, "/api/received/" + id + "/page/1.png?thumb=1");
    ASSERT_EQ(thumb.status, 200) << thumb.body;
    std::ofstream(faxd.tmp.path() / "thumb.png", std::ios::binary) << thumb.body;
    const auto small = test::read_png(faxd.tmp.path() / "thumb.png");
    EXPECT_EQ(small.bit_depth, 8);
    EXPECT_EQ(small.page.width, 160u);
    const double tall = pages[0].height * (pages[0].x_dpi / pages[0].y_dpi) * 160 / pages[0].width;
    EXPECT_NEAR(small.page.height, tall, 1.0);

    EXPECT_EQ(get_converted(b, "/api/received/" + id + "/page/2.png").status, 400);
    EXPECT_EQ(get_converted(b, "/api/received/999999.pdf").status, 404);
    EXPECT_EQ(b.get("/api/received/" + id + ".gif").status, 404);
}

TEST_F(WebFaxd, PagesComeWithTheContentSecurityPolicy) {
    const HttpAnswer index = browser().get("/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(index.body.find("id=\"login-user\""), std::string::npos);
    EXPECT_EQ(index.headers.at("content-security-policy"), kCsp);
    EXPECT_EQ(index.headers.at("x-content-type-options"), "nosniff");
    const HttpAnswer js = browser().get("/assets/app.js");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.headers.at("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers.at("content-security-policy"), kCsp);
    // Refusals too.
    const HttpAnswer missing = browser().get("/nothing");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.headers.at("content-security-policy"), kCsp);
    EXPECT_EQ(browser().get("/api/session").headers.at("content-security-policy"), kCsp);
}

TEST_F(WebFaxd, NoPathReachesAFileOutsideTheEmbeddedOnes) {
    for (const char* path : {"/assets/../CMakeLists.txt", "/assets/../../../../etc/passwd",
                             "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fetc%2fpasswd",
                             "/assets//etc/passwd", "/assets/", "/assets/web_console.cpp",
                             "/../etc/passwd", "/index.html/../../etc/passwd", "/assets/./app.js",
                             "/assets/app.js/", "/assets/APP.JS"}) {
        const HttpAnswer a = browser().get(path);
        EXPECT_EQ(a.status, 404) << path;
        EXPECT_EQ(a.body.find("root:"), std::string::npos) << path;
    }
}

// Reads what `stream` gets until a whole status line, within a deadline: the
// answer's status, 0 if none came.
int status_within(test::ByteStream& stream, std::chrono::seconds seconds) {
    const auto deadline = Clock::now() + seconds;
    std::string raw;
    while (raw.find("\r\n") == std::string::npos) {
        const std::string more = stream.receive(deadline);
        if (more.empty()) return 0;
        raw += more;
    }
    return raw.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0;
}

// The request line and headers of a POST whose body of `length` bytes is still to come.
std::string post_head(const std::string& path, std::size_t length, const std::string& cookie,
                      const std::string& csrf) {
    std::string head = "POST " + path +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: " +
                       std::to_string(length) + "\r\n";
    if (!cookie.empty()) head += "Cookie: " + cookie + "\r\nX-CSRF-Token: " + csrf + "\r\n";
    return head + "\r\n";
}

TEST_F(WebFaxd, ALargeBodyWithoutASessionIsRefusedBeforeItIsSent) {
    constexpr std::size_t kLarge = 1u << 20;  // over 64 KiB, under the calls' 48 MiB
    // Only the headers go: faxd must answer 413 without waiting for the body.
    const std::vector<std::string> strangers = {"", "faxemu_session=" + std::string(64, '0')};
    for (const std::string& cookie : strangers) {
        test::TcpStream call(port());
        call.send(post_head("/api/call", kLarge, cookie, "x"));
        EXPECT_EQ(status_within(call, std::chrono::seconds(10)), 413) << cookie;
    }
    test::TcpStream login(port());
    login.send(post_head("/api/login", kLarge, "", ""));
    EXPECT_EQ(status_within(login, std::chrono::seconds(10)), 413);

    // With a session, /api/call takes it: the body comes and is answered.
    const WebBrowser b = logged_in("viewer");
    test::TcpStream call(port());
    call.send(post_head("/api/call", kLarge, b.cookie, b.csrf));
    std::string body = json{{"method", "ports.list"}, {"params", json::object()}}.dump();
    body.resize(kLarge, ' ');
    call.send(body);
    EXPECT_EQ(status_within(call, std::chrono::seconds(30)), 200);
}

TEST(WebOff, NoConsoleWithoutWebListen) {
    test::FaxdHarness faxd;
    EXPECT_EQ(faxd.daemon->web_port(), 0);
}

}  // namespace
}  // namespace faxemu
