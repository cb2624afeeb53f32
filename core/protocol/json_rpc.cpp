#include "core/protocol/json_rpc.hpp"

#include <cctype>

namespace faxemu::rpc {

namespace {

// nlohmann quotes the offending token, which may be megabytes of an unterminated string.
std::string clipped(std::string text) {
    constexpr std::size_t kMax = 200;
    if (text.size() > kMax) text = text.substr(0, kMax) + "...";
    return text;
}

bool valid_id(const json& id) {
    return id.is_string() || id.is_number_integer() || id.is_null();
}

Malformed invalid(std::string message, json id = nullptr) {
    return Malformed{kInvalidRequest, std::move(message), std::move(id)};
}

// A parsed line as one of the four kinds.
Message classify(json j) {
    if (j.is_array()) return invalid("batch requests are not supported");
    if (!j.is_object()) return invalid("a message must be a JSON object");

    json id = nullptr;
    const bool has_id = j.contains("id");
    if (has_id) {
        if (!valid_id(j["id"])) return invalid("\"id\" must be a string, an integer or null");
        id = j["id"];
    }
    if (j.value("jsonrpc", json()) != "2.0") return invalid("\"jsonrpc\" must be \"2.0\"", id);

    if (j.contains("method")) {
        if (!j["method"].is_string()) return invalid("\"method\" must be a string", id);
        std::string method = j["method"].get<std::string>();
        json params = j.contains("params") ? std::move(j["params"]) : json::object();
        if (!has_id) return Notification{std::move(method), std::move(params)};
        return Request{std::move(id), std::move(method), std::move(params)};
    }

    const bool has_result = j.contains("result");
    const bool has_error = j.contains("error");
    if (!has_result && !has_error) return invalid("neither a request nor a response", id);
    if (has_result == has_error) return invalid("a response has either result or error", id);
    if (!has_id) return invalid("a response needs an \"id\"");
    if (has_result) return Response{std::move(id), std::move(j["result"]), std::nullopt};

    const json& error = j["error"];
    if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
        !error.contains("message") || !error["message"].is_string())
        return invalid("\"error\" must have an integer code and a string message", id);
    RpcError failure(error["code"].get<int>(), error["message"].get<std::string>(),
                     error.value("data", json()));
    return Response{std::move(id), nullptr, std::move(failure)};
}

}  // namespace

Message parse_message(std::string_view line) {
    json j;
    try {
        j = json::parse(line);
    } catch (const json::exception& e) {
        // Not only parse_error: a number such as 1e400 throws out_of_range.
        return Malformed{kParseError, clipped(std::string("invalid JSON: ") + e.what()), nullptr};
    }
    try {
        return classify(std::move(j));
    } catch (const json::exception& e) {
        // Whatever nlohmann may still throw, the promise is "never throws".
        return invalid(clipped(std::string("unreadable message: ") + e.what()));
    }
}

json make_request(const json& id, const std::string& method, const json& params) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

json make_notification(const std::string& method, const json& params) {
    return {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
}

json make_result(const json& id, json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json make_error(const json& id, int code, const std::string& message, const json& data) {
    json error = {{"code", code}, {"message", message}};
    if (!data.is_null()) error["data"] = data;
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

std::string to_line(const json& message) {
    std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace);
    line += '\n';
    return line;
}

json peek_id(std::string_view head) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
    };
    auto expect = [&](std::string_view token) {
        skip_space();
        if (head.substr(i, token.size()) != token) return false;
        i += token.size();
        return true;
    };
    if (!expect("{") || !expect("\"id\"") || !expect(":")) return nullptr;
    skip_space();
    const std::size_t start = i;
    if (i < head.size() && head[i] == '"') {
        // A plain string only: an escape would need a real parser.
        const std::size_t end = head.find_first_of("\"\\", i + 1);
        if (end == std::string_view::npos || head[end] != '"') return nullptr;
        return std::string(head.substr(i + 1, end - i - 1));
    }
    if (i < head.size() && head[i] == '-') ++i;
    while (i < head.size() && std::isdigit(static_cast<unsigned char>(head[i]))) ++i;
    // The number must be complete: followed by a delimiter inside the head.
    skip_space();
    if (i == start || i >= head.size() || (head[i] != ',' && head[i] != '}')) return nullptr;
    json id = json::parse(head.substr(start, i - start), nullptr, false);
    return id.is_number_integer() ? id : json(nullptr);
}

void LineBuffer::append(std::string_view bytes) {
    while (!bytes.empty()) {
        const std::size_t newline = bytes.find('\n');
        const std::string_view piece = bytes.substr(0, newline);
        if (!skipping_) {
            if (partial_.size() + piece.size() > max_line_) {
                std::string head = partial_.substr(0, kHeadBytes);
                if (head.size() < kHeadBytes)
                    head.append(piece.substr(0, kHeadBytes - head.size()));
                ready_.push_back(Line{std::move(head), true});
                skipping_ = true;
                std::string().swap(partial_);  // give the memory back now
            } else {
                partial_.append(piece);
            }
        }
        if (newline == std::string_view::npos) return;
        bytes.remove_prefix(newline + 1);
        if (!skipping_) {
            if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
            ready_.push_back(Line{std::move(partial_), false});
            partial_.clear();
        }
        skipping_ = false;
    }
}

std::optional<LineBuffer::Line> LineBuffer::next() {
    if (ready_.empty()) return std::nullopt;
    Line line = std::move(ready_.front());
    ready_.pop_front();
    return line;
}

}  // namespace faxemu::rpc
