// faxd's web console over HTTPS ([web] tls_cert, tls_key): the login's cookie
// is Secure there (and only there), calls and the WebSocket work over TLS,
// and a plain HTTP request gets no answer from the TLS port.
#include <gtest/gtest.h>

#include "tests/support/tls_certificates.hpp"
#include "tests/tools/faxd_harness.hpp"
#include "tests/tools/https_client.hpp"
#include "tests/tools/web_client.hpp"

namespace faxemu {
namespace {

using test::HttpAnswer;
using test::json;
using Clock = std::chrono::steady_clock;

struct WebFaxdTls : ::testing::Test {
    std::optional<test::TlsFiles> files;
    test::FaxdHarness faxd{[this](faxd::Config& c) {
        // The harness's spool is in its temporary folder: the certificates go beside it.
        files.emplace(c.spool.parent_path());
        c.web_listen = "127.0.0.1:0";
        c.web_tls_cert = files->server_cert;
        c.web_tls_key = files->server_key;
    }};
    std::uint16_t port() const { return faxd.daemon->web_port(); }

    HttpAnswer request(const std::string& method, const std::string& path,
                       const test::HttpHeaders& headers = {}, const std::string& body = {}) {
        return test::https_request(port(), files->ca, method, path, headers, body);
    }
    // Logs in; the cookie ("faxemu_session=...") and CSRF token.
    std::pair<std::string, std::string> log_in(const std::string& user, std::string* set_cookie) {
        const HttpAnswer a = request("POST", "/api/login", {{"Content-Type", "application/json"}},
                                     json{{"user", user}, {"password", test::kPassword}}.dump());
        EXPECT_EQ(a.status, 200) << a.body;
        if (a.status != 200) return {};
        if (set_cookie) *set_cookie = a.headers.at("set-cookie");
        const std::string set = a.headers.at("set-cookie");
        return {set.substr(0, set.find(';')), json::parse(a.body).at("csrf")};
    }
    HttpAnswer call(const std::pair<std::string, std::string>& session, const std::string& method,
                    const json& params = json::object()) {
        return request("POST", "/api/call",
                       {{"Content-Type", "application/json"},
                        {"Cookie", session.first},
                        {"X-CSRF-Token", session.second}},
                       json{{"method", method}, {"params", params}}.dump());
    }
};

TEST_F(WebFaxdTls, TheLoginsCookieIsSecureAndCallsWork) {
    ASSERT_NE(port(), 0);
    const HttpAnswer page = request("GET", "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<html"), std::string::npos);

    std::string set_cookie;
    const auto session = log_in("viewer", &set_cookie);
    EXPECT_NE(set_cookie.find("; Secure"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;

    const HttpAnswer ports = call(session, "ports.list");
    ASSERT_EQ(ports.status, 200) << ports.body;
    EXPECT_EQ(json::parse(ports.body)["result"].size(), 2u);
    EXPECT_EQ(call(session, "port.set", {{"device_id", 1}, {"rings", 5}}).status, 403);
    EXPECT_EQ(request("GET", "/api/session", {{"Cookie", session.first}}).status, 200);
}

TEST_F(WebFaxdTls, PlainHttpGetsNoAnswerFromTheTlsPort) {
    test::TcpStream plain(port());
    plain.send(test::http_request_text("GET", "/", {}, {}));
    const std::string answer = test::read_to_end(plain);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), std::string::npos) << answer;
}

TEST_F(WebFaxdTls, TheWebSocketWorksOverTls) {
    const auto session = log_in("sender", nullptr);
    const std::string origin = "https://127.0.0.1:" + std::to_string(port());
    {
        // Its origin is the https one: the http one is another site.
        test::WebSocketReader foreign;
        EXPECT_EQ(foreign.open(std::make_unique<test::TlsStream>(port(), files->ca), port(),
                               "/api/events", session.first,
                               "http://127.0.0.1:" + std::to_string(port())),
                  403);
    }
    test::WebSocketReader ws;
    ASSERT_EQ(ws.open(std::make_unique<test::TlsStream>(port(), files->ca), port(), "/api/events",
                      session.first, origin),
              101);
    const HttpAnswer submitted =
        call(session, "job.submit",
             {{"number", "5551002"},
              {"document", test::document_base64(test::fixture("documents/short-std-mmr.tif"))}});
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    const std::int64_t job = json::parse(submitted.body)["result"]["job_id"];
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    bool seen = false;
    while (!seen) {
        const auto text = ws.next(deadline);
        ASSERT_TRUE(text) << "no job.changed for job " << job << " over the WebSocket";
        const json m = json::parse(*text);
        seen = m["method"] == "job.changed" && m["params"]["job"]["job_id"] == job;
    }
}

}  // namespace
}  // namespace faxemu
