#include "core/protocol/json_rpc.hpp"

#include <gtest/gtest.h>

#include <string>

namespace faxemu::rpc {
namespace {

TEST(JsonRpc, ParsesARequest) {
    auto message =
        parse_message(R"({"jsonrpc":"2.0","id":7,"method":"port.get","params":{"device_id":1}})");
    auto* request = std::get_if<Request>(&message);
    ASSERT_NE(request, nullptr);
    EXPECT_EQ(request->id, 7);
    EXPECT_EQ(request->method, "port.get");
    EXPECT_EQ(request->params, json({{"device_id", 1}}));
}

TEST(JsonRpc, AbsentParamsAreAnEmptyObject) {
    auto message = parse_message(R"({"jsonrpc":"2.0","id":"a","method":"ports.list"})");
    auto* request = std::get_if<Request>(&message);
    ASSERT_NE(request, nullptr);
    EXPECT_EQ(request->id, "a");
    EXPECT_EQ(request->params, json::object());
}

TEST(JsonRpc, ParamsThatAreNotAnObjectAreLeftToTheServer) {
    auto message = parse_message(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1,2]})");
    auto* request = std::get_if<Request>(&message);
    ASSERT_NE(request, nullptr);
    EXPECT_TRUE(request->params.is_array());
}

TEST(JsonRpc, AMessageWithoutIdIsANotification) {
    auto message = parse_message(R"({"jsonrpc":"2.0","method":"job.changed","params":{"job":{}}})");
    auto* notification = std::get_if<Notification>(&message);
    ASSERT_NE(notification, nullptr);
    EXPECT_EQ(notification->method, "job.changed");
}

TEST(JsonRpc, ParsesResultAndErrorResponses) {
    auto ok = parse_message(R"({"jsonrpc":"2.0","id":3,"result":[1]})");
    auto* result = std::get_if<Response>(&ok);
    ASSERT_NE(result, nullptr);
    EXPECT_EQ(result->id, 3);
    EXPECT_EQ(result->result, json::array({1}));
    EXPECT_FALSE(result->error);

    auto failed = parse_message(
        R"({"jsonrpc":"2.0","id":4,"error":{"code":-32003,"message":"no port 9","data":{"d":1}}})");
    auto* error = std::get_if<Response>(&failed);
    ASSERT_NE(error, nullptr);
    ASSERT_TRUE(error->error);
    EXPECT_EQ(error->error->code(), kNotFound);
    EXPECT_STREQ(error->error->what(), "no port 9");
    EXPECT_EQ(error->error->data(), json({{"d", 1}}));
}

TEST(JsonRpc, NotJsonIsAParseError) {
    auto message = parse_message("{\"jsonrpc\":\"2.0\",");
    auto* malformed = std::get_if<Malformed>(&message);
    ASSERT_NE(malformed, nullptr);
    EXPECT_EQ(malformed->code, kParseError);
    EXPECT_TRUE(malformed->id.is_null());
    EXPECT_NE(malformed->message.find("invalid JSON"), std::string::npos);
}

// nlohmann throws out_of_range, not parse_error, for a number that overflows.
TEST(JsonRpc, ANumberOutOfRangeIsAParseErrorNotAnException) {
    for (const char* line : {
             R"({"jsonrpc":"2.0","id":1,"method":"ports.list","params":{"x":1e400}})",
             R"({"jsonrpc":"2.0","id":1,"method":"ports.list","params":{"x":-1e400}})",
             R"([1e999])",
         }) {
        Message message;
        ASSERT_NO_THROW(message = parse_message(line)) << line;
        auto* malformed = std::get_if<Malformed>(&message);
        ASSERT_NE(malformed, nullptr) << line;
        EXPECT_EQ(malformed->code, kParseError) << line;
    }
}

TEST(JsonRpc, ParseErrorMessagesStayShort) {
    auto message = parse_message("\"" + std::string(100000, 'x'));
    auto* malformed = std::get_if<Malformed>(&message);
    ASSERT_NE(malformed, nullptr);
    EXPECT_LT(malformed->message.size(), 300u);
}

TEST(JsonRpc, JsonThatIsNotJsonRpcIsAnInvalidRequest) {
    for (const char* line : {
             R"([{"jsonrpc":"2.0","id":1,"method":"a"}])",      // batch
             R"(42)",                                           // not an object
             R"({"id":1,"method":"a"})",                        // no version
             R"({"jsonrpc":"1.0","id":1,"method":"a"})",        // wrong version
             R"({"jsonrpc":"2.0","id":1,"method":5})",          // method not a string
             R"({"jsonrpc":"2.0","id":{"x":1},"method":"a"})",  // id not a scalar
             R"({"jsonrpc":"2.0","id":1})",                     // neither
             R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}})",
             R"({"jsonrpc":"2.0","id":1,"error":"bad"})",
         }) {
        auto message = parse_message(line);
        auto* malformed = std::get_if<Malformed>(&message);
        ASSERT_NE(malformed, nullptr) << line;
        EXPECT_EQ(malformed->code, kInvalidRequest) << line;
    }
}

TEST(JsonRpc, AnInvalidRequestKeepsItsIdWhenReadable) {
    auto message = parse_message(R"({"jsonrpc":"1.0","id":12,"method":"a"})");
    auto* malformed = std::get_if<Malformed>(&message);
    ASSERT_NE(malformed, nullptr);
    EXPECT_EQ(malformed->id, 12);
}

TEST(JsonRpc, BuildsMessagesThatParseBack) {
    auto request = parse_message(to_line(make_request(5, "job.get", {{"job_id", 9}})));
    ASSERT_TRUE(std::holds_alternative<Request>(request));

    auto notification = parse_message(to_line(make_notification("port.status", {{"a", 1}})));
    ASSERT_TRUE(std::holds_alternative<Notification>(notification));

    auto result = parse_message(to_line(make_result(5, "ok")));
    ASSERT_TRUE(std::holds_alternative<Response>(result));
    EXPECT_EQ(std::get<Response>(result).result, "ok");

    auto error = parse_message(to_line(make_error(nullptr, kTooLarge, "big")));
    ASSERT_TRUE(std::holds_alternative<Response>(error));
    EXPECT_EQ(std::get<Response>(error).error->code(), kTooLarge);
    EXPECT_FALSE(make_error(1, kTooLarge, "big").at("error").contains("data"));
}

TEST(JsonRpc, ToLineIsOneLineAndSurvivesInvalidUtf8) {
    const std::string line = to_line(make_result(1, std::string("a\nb\xff")));
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_NE(line.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

TEST(JsonRpc, PeekIdReadsTheIdOfATruncatedMessage) {
    const std::string request = to_line(make_request(42, "job.submit", {{"document", "AAAA"}}));
    EXPECT_EQ(peek_id(request.substr(0, 20)), 42);
    EXPECT_EQ(peek_id(R"({ "id" : "abc", "jsonrpc")"), "abc");
    EXPECT_EQ(peek_id(R"({"id":-3,)"), -3);
    EXPECT_TRUE(peek_id(R"({"id":12)").is_null());  // the number may go on
    EXPECT_TRUE(peek_id(R"({"jsonrpc":"2.0","id":1,)").is_null());
    EXPECT_TRUE(peek_id(R"({"id":"a\"b",)").is_null());
    EXPECT_TRUE(peek_id(R"({"id":-,)").is_null());
    EXPECT_TRUE(peek_id("").is_null());
}

TEST(JsonRpc, LineBufferSplitsLinesAcrossChunks) {
    LineBuffer lines(100);
    lines.append("{\"a\":");
    EXPECT_FALSE(lines.next());
    lines.append("1}\r\n{\"b\":2}\n\n{\"c\"");
    auto first = lines.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->text, "{\"a\":1}");
    EXPECT_FALSE(first->too_large);
    EXPECT_EQ(lines.next()->text, "{\"b\":2}");
    EXPECT_EQ(lines.next()->text, "");
    EXPECT_FALSE(lines.next());
    EXPECT_EQ(lines.pending_bytes(), 4u);
}

TEST(JsonRpc, LineBufferReportsAnOversizeLineOnceAndResyncs) {
    LineBuffer lines(10);
    lines.append("0123456789\n");  // exactly the limit: fine
    EXPECT_EQ(lines.next()->text, "0123456789");

    lines.append("{\"id\":5,");
    lines.append("\"x\":\"");  // 13 bytes now: over
    auto big = lines.next();
    ASSERT_TRUE(big);
    EXPECT_TRUE(big->too_large);
    EXPECT_EQ(peek_id(big->text), 5);
    EXPECT_EQ(lines.pending_bytes(), 0u);
    lines.append(std::string(1000, 'y'));
    EXPECT_FALSE(lines.next());  // reported once, not per chunk
    lines.append("yyy\"}\nok\n");
    auto after = lines.next();
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->too_large);
    EXPECT_EQ(after->text, "ok");
}

TEST(JsonRpc, LineBufferHandlesAnOversizeLineWithinOneChunk) {
    LineBuffer lines(4);
    lines.append("a\n0123456789\nb\n");
    EXPECT_EQ(lines.next()->text, "a");
    EXPECT_TRUE(lines.next()->too_large);
    EXPECT_EQ(lines.next()->text, "b");
    EXPECT_FALSE(lines.next());
}

}  // namespace
}  // namespace faxemu::rpc
