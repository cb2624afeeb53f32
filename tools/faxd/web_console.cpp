#include "tools/faxd/web_console.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include <regex>

#include "core/protocol/base64.hpp"
#include "core/protocol/error_codes.hpp"
#include "tools/faxd/web_assets.hpp"

namespace faxemu::faxd {

namespace {

using json = nlohmann::json;

constexpr char kCookie[] = "faxemu_session";
constexpr char kJson[] = "application/json";
// Calls are quick on the loop (conversions run on the worker pool); one that
// waits longer means faxd's loop is stuck.
constexpr auto kLoopDeadline = std::chrono::seconds(10);
// job.submit carries documents as base64, as the control protocol's lines do.
constexpr std::size_t kMaxBodyBytes = 48u << 20;
// What any other request may carry, and /api/call without a session: a login
// is small, and a stranger must not make faxd hold 48 MiB per connection.
constexpr std::size_t kMaxSmallBodyBytes = 64u << 10;

json error_body(int code, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}}}};
}

HttpResponse json_response(int status, const json& body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    return {status, kJson, body.dump(-1, ' ', false, json::error_handler_t::replace),
            std::move(headers)};
}

HttpResponse error_response(int status, int code, const std::string& message) {
    return json_response(status, error_body(code, message));
}

// The HTTP status of a control-protocol error (PROTOCOL.md, over HTTP).
int status_of(int code) {
    switch (code) {
        case rpc::kUnauthenticated:
            return 401;
        case rpc::kAccessDenied:
            return 403;
        case rpc::kNotFound:
        case rpc::kMethodNotFound:
            return 404;
        case rpc::kInvalidParams:
        case rpc::kInvalidValue:
        case rpc::kBadDocument:
        case rpc::kParseError:
        case rpc::kInvalidRequest:
            return 400;
        case rpc::kTooLarge:
            return 413;
        default:
            return 500;
    }
}

// An RpcServer::call answer that is an error, as HTTP.
HttpResponse error_of(const json& answer) {
    const json& error = answer.at("error");
    json body = {{"error",
                  {{"code", error.value("code", rpc::kInternalError)},
                   {"message", error.value("message", std::string())}}}};
    if (error.contains("data")) body["error"]["data"] = error["data"];
    return json_response(status_of(body["error"]["code"].get<int>()), body);
}

std::string content_type_of(std::string_view name) {
    const auto dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "json") return "application/json";
    if (ext == "woff2") return "font/woff2";
    return "application/octet-stream";
}

std::string cookie_of(const HttpRequest& request, const std::string& name) {
    const std::string header = request.header("cookie");
    for (std::size_t at = 0; at < header.size();) {
        const auto end = std::min(header.find(';', at), header.size());
        std::string part = header.substr(at, end - at);
        part.erase(0, part.find_first_not_of(' '));
        if (part.compare(0, name.size() + 1, name + "=") == 0) return part.substr(name.size() + 1);
        at = end + 1;
    }
    return "";
}

// The media type without parameters, in lower case: "application/json".
std::string media_type_of(const std::string& content_type) {
    std::string type = content_type.substr(0, content_type.find(';'));
    type.erase(type.find_last_not_of(" \t") + 1);
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return type;
}

json session_body(const WebSession& s) {
    json rights = json::array();
    const std::string names = right_names(s.session.rights.mask);
    for (std::size_t start = 0; start < names.size();) {
        const auto bar = std::min(names.find('|', start), names.size());
        rights.push_back(names.substr(start, bar - start));
        start = bar + 1;
    }
    return {{"user", s.session.user},
            {"role", s.session.role},
            {"rights", std::move(rights)},
            {"can_modify", s.session.rights.has(access::ConfigSet)},
            {"csrf", s.csrf}};
}

}  // namespace

WebConsole::WebConsole(asio::io_context& io, RpcServer& rpc) : io_(io), rpc_(rpc) {
    // Every answer, refusals included: nothing the pages load may come from
    // elsewhere, nor be taken for another type.
    http_.set_default_headers({
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
    });
    http_.set_max_body_bytes(kMaxBodyBytes);
    // On the listener's thread, once a request's headers are read.
    http_.set_body_limit([this](const HttpRequest& request) {
        const bool call = request.path == "/api/call" && request.method == "POST";
        return call && sessions_.peek(cookie_of(request, kCookie)) ? kMaxBodyBytes
                                                                   : kMaxSmallBodyBytes;
    });
    add_routes();
    // Called on the io thread; serialised only when a browser listens.
    rpc_.add_notification_sink([this](const std::string& method, const json& params) {
        if (http_.websocket_count() == 0) return;
        http_.send_to_websockets(
            json{{"method", method}, {"params", params}}.dump(-1, ' ', false,
                                                              json::error_handler_t::replace),
            rpc_.state_key(method, params));  // a browser gets the latest state, as a client
    });
}

WebConsole::~WebConsole() {
    stop();
}

void WebConsole::use_tls(const std::filesystem::path& cert_file,
                         const std::filesystem::path& key_file) {
    http_.use_tls(cert_file, key_file);
}

void WebConsole::start(const std::string& host, std::uint16_t port) {
    http_.start(host, port);
    sweep_idle_sessions();
}

void WebConsole::stop() {
    http_.stop();
}

void WebConsole::sweep_idle_sessions() {
    http_.after(std::chrono::minutes(1), [this] {
        for (const std::string& key : sessions_.expire()) http_.close_websockets(key);
        sweep_idle_sessions();
    });
}

void WebConsole::on_loop(const HttpResponder& respond, std::function<HttpResponse()> answer) {
    // The responder answers once: whichever of the loop and the deadline comes first.
    http_.after(kLoopDeadline, [respond] {
        respond(error_response(503, rpc::kInternalError, "faxd's event loop did not answer"));
    });
    asio::post(io_, [respond, answer = std::move(answer)] {
        try {
            respond(answer());
        } catch (const std::exception& e) {
            spdlog::error("web: {}", e.what());
            respond(error_response(500, rpc::kInternalError, e.what()));
        }
    });
}

std::optional<WebSession> WebConsole::session_of(const HttpRequest& request,
                                                 const HttpResponder& respond) {
    auto session = sessions_.use(cookie_of(request, kCookie));
    if (!session) {
        respond(error_response(401, rpc::kUnauthenticated, "log in first"));
        return std::nullopt;
    }
    if (request.method == "POST" && request.header("x-csrf-token") != session->csrf) {
        respond(json_response(403, {{"error", {{"message", "missing or wrong CSRF token"}}}}));
        return std::nullopt;
    }
    return session;
}

void WebConsole::add_routes() {
    http_.route("/", {"GET"}, [this](const HttpRequest& request, HttpResponder respond) {
        serve_asset(request, respond);
    });
    http_.route_prefix("/assets/", {"GET"},
                       [this](const HttpRequest& request, HttpResponder respond) {
                           serve_asset(request, respond);
                       });
    http_.route("/api/login", {"POST"}, [this](const HttpRequest& request, HttpResponder respond) {
        login(request, respond);
    });
    http_.route("/api/session", {"GET"}, [this](const HttpRequest& request, HttpResponder respond) {
        if (const auto s = session_of(request, respond))
            respond(json_response(200, session_body(*s)));
    });
    http_.route("/api/logout", {"POST"}, [this](const HttpRequest& request, HttpResponder respond) {
        const auto s = session_of(request, respond);
        if (!s) return;
        if (const auto key = sessions_.close(s->token)) http_.close_websockets(*key);
        spdlog::info("web ({}): {} logged out", request.remote_address, s->session.user);
        respond({204, kJson, "", {}});
    });
    http_.route("/api/call", {"POST"}, [this](const HttpRequest& request, HttpResponder respond) {
        call(request, respond);
    });
    http_.route_prefix(
        "/api/received/", {"GET"},
        [this](const HttpRequest& request, HttpResponder respond) { received(request, respond); });
    http_.websocket("/api/events",
                    [this](const HttpRequest& request) { return admit_events(request); });
}

void WebConsole::serve_asset(const HttpRequest& request, const HttpResponder& respond) {
    // Only the embedded files, by their exact names: no path reaches the disk.
    const std::string name =
        request.path == "/" ? "index.html" : request.path.substr(std::string("/assets/").size());
    for (const WebAsset& asset : web_assets()) {
        if (asset.name == name) {
            respond({200, content_type_of(name), std::string(asset.bytes), {}});
            return;
        }
    }
    respond({404, "text/plain; charset=utf-8", "not found\n", {}});
}

void WebConsole::login(const HttpRequest& request, const HttpResponder& respond) {
    // A form on another site cannot send this type without the browser asking first.
    if (media_type_of(request.header("content-type")) != kJson) {
        respond(
            error_response(415, rpc::kInvalidRequest, "login needs Content-Type application/json"));
        return;
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("user") || !body["user"].is_string() ||
        !body.contains("password") || !body["password"].is_string()) {
        respond(error_response(400, rpc::kInvalidParams, "login needs user and password strings"));
        return;
    }
    // Over TLS the cookie is Secure: a browser never sends it over plain HTTP.
    const std::string cookie_flags =
        std::string("; HttpOnly; SameSite=Strict; Path=/") + (request.secure ? "; Secure" : "");
    asio::post(io_, [this, respond, cookie_flags, address = request.remote_address,
                     user = body["user"].get<std::string>(),
                     password = body["password"].get<std::string>()]() mutable {
        rpc_.authenticate(
            address, std::move(user), std::move(password),
            [this, respond, cookie_flags](RpcServer::LoginResult result) {
                if (result.retry_after) {
                    respond(json_response(
                        429, error_body(rpc::kAccessDenied, result.message),
                        {{"Retry-After", std::to_string(result.retry_after->count())}}));
                    return;
                }
                if (!result.session) {
                    respond(error_response(401, rpc::kAccessDenied, result.message));
                    return;
                }
                const WebSession s = sessions_.open(std::move(*result.session));
                respond(json_response(
                    200, session_body(s),
                    {{"Set-Cookie", std::string(kCookie) + "=" + s.token + cookie_flags}}));
            });
    });
}

void WebConsole::call(const HttpRequest& request, const HttpResponder& respond) {
    auto s = session_of(request, respond);
    if (!s) return;
    json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("method") || !body["method"].is_string()) {
        respond(error_response(400, rpc::kInvalidRequest, "a call needs a method string"));
        return;
    }
    json params = body.contains("params") ? body["params"] : json::object();
    if (params.is_null()) params = json::object();
    on_loop(respond,
            [this, session = std::move(s->session), method = body["method"].get<std::string>(),
             params = std::move(params)]() mutable {
                const json answer = rpc_.call(session, method, params);
                if (answer.contains("error")) return error_of(answer);
                return json_response(200, {{"result", answer.at("result")}});
            });
}

void WebConsole::received(const HttpRequest& request, const HttpResponder& respond) {
    auto s = session_of(request, respond);
    if (!s) return;
    static const std::regex whole(R"(/api/received/([0-9]{1,18})\.(tiff|pdf))");
    static const std::regex page(R"(/api/received/([0-9]{1,18})/page/([0-9]{1,9})\.png)");
    std::smatch m;
    json params;
    std::string content_type;
    std::string disposition;
    if (std::regex_match(request.path, m, whole)) {
        params = {{"id", std::stoll(m[1])}, {"format", m[2].str()}};
        content_type = m[2] == "pdf" ? "application/pdf" : "image/tiff";
        disposition = "attachment; filename=\"fax-" + m[1].str() + "." + m[2].str() + "\"";
    } else if (std::regex_match(request.path, m, page)) {
        params = {{"id", std::stoll(m[1])}, {"format", "png"}, {"page", std::stoi(m[2])}};
        const std::string query = request.target.substr(request.path.size());
        if (query == "?thumb=1") params["thumbnail"] = true;
        content_type = "image/png";
    } else {
        respond({404, "text/plain; charset=utf-8", "not found\n", {}});
        return;
    }
    on_loop(respond, [this, session = std::move(s->session), params = std::move(params),
                      content_type, disposition]() mutable {
        // The fax through received.fetch, chunk by chunk: its rights, its
        // conversions on the worker pool, its errors.
        std::string bytes;
        for (std::int64_t offset = 0;;) {
            params["offset"] = offset;
            const json answer = rpc_.call(session, "received.fetch", params);
            if (answer.contains("error")) return error_of(answer);
            const json& part = answer.at("result");
            if (part.value("converting", false))
                return json_response(202, {{"converting", true}}, {{"Retry-After", "1"}});
            const auto data = rpc::base64_decode(part.at("data").get<std::string>());
            if (!data)
                return error_response(500, rpc::kInternalError, "bad base64 from received.fetch");
            bytes.append(data->begin(), data->end());
            offset += static_cast<std::int64_t>(data->size());
            if (part.at("eof").get<bool>() || data->empty()) break;
        }
        HttpResponse r{200, content_type, std::move(bytes), {}};
        if (!disposition.empty()) r.headers.emplace_back("Content-Disposition", disposition);
        return r;
    });
}

WebSocketAdmission WebConsole::admit_events(const HttpRequest& request) {
    const auto s = sessions_.use(cookie_of(request, kCookie));
    if (!s) return {std::nullopt, error_response(401, rpc::kUnauthenticated, "log in first")};
    // A page of another site cannot open it with the browser's cookie.
    const std::string origin = request.header("origin");
    if (origin != (request.secure ? "https://" : "http://") + request.header("host"))
        return {std::nullopt,
                error_response(403, rpc::kAccessDenied, "WebSocket from another origin")};
    return {s->key(), {}};
}

}  // namespace faxemu::faxd
