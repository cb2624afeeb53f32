// faxd refuses what does not fit: integers outside their field's type, numbers
// with nothing to dial, overlong or multi-line text, relative directories; and
// its errors name jobs and faxes, never the spool's files.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "core/job.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/routing_method.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;

// The error of a call that must fail (code 0 if it succeeded).
struct Refusal {
    int code = 0;
    std::string message;
};

Refusal refusal_of(rpc::FaxClient& c, const std::string& method, const json& params) {
    try {
        c.call(method, params);
    } catch (const rpc::RpcError& e) {
        return {e.code(), e.what()};
    }
    return {};
}

std::string short_document() {
    return test::document_base64(test::fixture("documents/short-std-mmr.tif"));
}

TEST(FaxdValidation, IntegersThatDoNotFitTheirFieldAreRefusedByName) {
    FaxdHarness faxd;
    auto admin = faxd.client("admin");
    const std::uint64_t wraps_to_2 = (std::uint64_t{1} << 32) + 2;
    const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
    const std::int64_t tiny = std::numeric_limits<std::int64_t>::min();

    // device_id is 32-bit: 2^32+2 must not reach port 2.
    Refusal r = refusal_of(*admin, "port.set", {{"device_id", wraps_to_2}, {"rings", 7}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("device_id"), std::string::npos) << r.message;
    EXPECT_EQ(admin->call("port.get", {{"device_id", 2}})["rings"], 2);
    for (const char* method : {"port.get", "port.status", "routing.list"})
        EXPECT_EQ(refusal_of(*admin, method, {{"device_id", wraps_to_2}}).code, rpc::kInvalidParams)
            << method;
    r = refusal_of(*admin, "port.set", {{"device_id", 1}, {"rings", wraps_to_2}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("rings"), std::string::npos) << r.message;
    r = refusal_of(*admin, "port.set", {{"device_id", 1}, {"priority", tiny}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("priority"), std::string::npos) << r.message;

    // 64-bit ids: an unsigned value past INT64_MAX must not wrap to a negative id.
    r = refusal_of(*admin, "job.get", {{"job_id", huge}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("job_id"), std::string::npos) << r.message;
    EXPECT_EQ(refusal_of(*admin, "received.get", {{"id", huge}}).code, rpc::kInvalidParams);

    // JC_* numbers: 2^32+1 must not become JC_DELETE.
    const std::int64_t job = admin->call(
        "job.submit",
        {{"number", "5559999"}, {"document", short_document()}, {"discount_send", true}})["job_id"];
    r = refusal_of(*admin, "job.command",
                   {{"job_id", job}, {"command", (std::uint64_t{1} << 32) + 1}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("command"), std::string::npos) << r.message;
    EXPECT_NE(admin->call("job.get", {{"job_id", job}})["state"], to_string(JobState::Cancelled));

    // Server settings: 32-bit and 16-bit fields.
    r = refusal_of(*admin, "server.set", {{"retries", std::int64_t{1} << 32}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("retries"), std::string::npos) << r.message;
    r = refusal_of(*admin, "server.set", {{"discount_rate_start_hour", 65536 + 3}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_NE(r.message.find("discount_rate_start_hour"), std::string::npos) << r.message;
    r = refusal_of(*admin, "server.set", {{"dirty_days", huge}});
    EXPECT_EQ(r.code, rpc::kInvalidParams) << r.message;
    EXPECT_EQ(admin->call("server.get")["retries"], 3);
    EXPECT_EQ(admin->call("server.get")["discount_rate_start_hour"], 20);
}

TEST(FaxdValidation, ANumberWithoutADigitIsNotDialled) {
    FaxdHarness faxd;
    auto sender = faxd.client("sender");
    for (const char* number : {"+", "()", "- -", "#*,"}) {
        const Refusal r =
            refusal_of(*sender, "job.submit", {{"number", number}, {"document", short_document()}});
        EXPECT_EQ(r.code, rpc::kInvalidValue) << number << ": " << r.message;
        EXPECT_NE(r.message.find("FaxNumber"), std::string::npos) << r.message;
    }
    EXPECT_TRUE(sender->call("jobs.list", {{"all", true}}).empty());
}

TEST(FaxdValidation, NamesHaveALimitAndOneLine) {
    FaxdHarness faxd;
    auto sender = faxd.client("sender");
    const std::pair<const char*, const char*> fields[] = {
        {"display_name", "DisplayName"},     {"recipient_name", "RecipientName"},
        {"sender_name", "SenderName"},       {"sender_company", "SenderCompany"},
        {"sender_dept", "SenderDepartment"}, {"billing_code", "BillingCode"},
    };
    for (const auto& [key, name] : fields) {
        for (const std::string& bad :
             {std::string(100'000, 'n'), std::string("forged\n[info] line"),
              std::string("\x1b[2J")}) {
            const Refusal r =
                refusal_of(*sender, "job.submit",
                           {{"number", "5551002"}, {"document", short_document()}, {key, bad}});
            EXPECT_EQ(r.code, rpc::kInvalidValue) << key << ": " << r.message;
            EXPECT_NE(r.message.find(name), std::string::npos) << r.message;
            EXPECT_LT(r.message.size(), 300u);
        }
    }
    EXPECT_TRUE(sender->call("jobs.list", {{"all", true}}).empty());
    EXPECT_TRUE(std::filesystem::is_empty(faxd.config.spool / "documents"));
    // The longest accepted name (Job::kMaxTextLength), in a script with multi-byte characters.
    std::string name;
    for (std::size_t i = 0; i < 256; ++i) name += "\xc3\xa9";
    EXPECT_EQ(sender->call("job.submit", {{"number", "5559999"},
                                          {"document", short_document()},
                                          {"discount_send", true},
                                          {"recipient_name", name}})["recipient_name"],
              name);

    // Text the error would echo is cut short too.
    auto admin = faxd.client("admin");
    Refusal r = refusal_of(*admin, "port.set", {{"device_id", 1}, {std::string(100'000, 'k'), 1}});
    EXPECT_EQ(r.code, rpc::kInvalidParams);
    EXPECT_LT(r.message.size(), 300u);
    r = refusal_of(*admin, "routing.set", {{"device_id", 1}, {"guid", std::string(100'000, 'g')}});
    EXPECT_NE(r.code, 0);
    EXPECT_LT(r.message.size(), 300u);
    r = refusal_of(*admin, "server.set", {{std::string(100'000, 's'), 1}});
    EXPECT_EQ(r.code, rpc::kInvalidParams);
    EXPECT_LT(r.message.size(), 300u);
}

TEST(FaxdValidation, ARelativeArchiveDirectoryIsRefused) {
    FaxdHarness faxd;
    auto admin = faxd.client("admin");
    const Refusal r = refusal_of(
        *admin, "server.set", {{"archive_outbound_faxes", true}, {"archive_directory", "archive"}});
    EXPECT_EQ(r.code, rpc::kInvalidValue) << r.message;
    EXPECT_NE(r.message.find("ArchiveDirectory"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("absolute"), std::string::npos) << r.message;
    EXPECT_EQ(admin->call("server.get")["archive_directory"], "");
    EXPECT_FALSE(admin->call("server.get")["archive_outbound_faxes"]);
}

TEST(FaxdValidation, RoutingErrorsNameTheFaxNotTheSpoolPath) {
    // A print command that takes the fax away and fails: the retry finds no file.
    FaxdHarness faxd([](faxd::Config& c) {
        c.routing_retry_delay = std::chrono::seconds(0);
        c.routing_max_tries = 2;
    });
    const auto script = faxd.tmp.path() / "eats-the-fax.sh";
    std::ofstream(script) << "#!/bin/sh\nrm -f \"$3\"\nexit 1\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    faxd.stop();
    faxd.config.routing.print_command = {script.string(), "-d", "{printer}", "{file}"};
    faxd.start();
    auto admin = faxd.client("admin");
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kPrintRoutingGuid)},
                                {"data", "office"},
                                {"enable", true}});
    admin->call("job.submit", {{"number", "5551002"}, {"document", short_document()}});
    const json fax = test::wait_for_received(
        *admin, [](const json& f) { return f["routing"][0]["tries"] == 2; });
    ASSERT_FALSE(fax.is_null());
    const std::string detail = fax["routing"][0]["detail"];
    const std::string spool = faxd.config.spool.string();
    EXPECT_EQ(detail.find(spool), std::string::npos) << detail;
    EXPECT_NE(detail.find("fax " + std::to_string(fax["id"].get<std::int64_t>())),
              std::string::npos)
        << detail;
    const Refusal r = refusal_of(*admin, "received.fetch", {{"id", fax["id"]}});
    EXPECT_EQ(r.message.find(spool), std::string::npos) << r.message;
}

}  // namespace
}  // namespace faxemu
