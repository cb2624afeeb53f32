// A received fax as people want it, end to end through a faxd: fetched as a
// PDF (every page losslessly, at its own resolution) and a page as PNG, mailed
// as a PDF attachment and stored in a folder as a PDF, all pixel for pixel the
// TIFF that faxd received.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/protocol/error_codes.hpp"
#include "core/protocol/fetch_received.hpp"
#include "core/protocol/submit.hpp"
#include "core/routing_method.hpp"
#include "tests/support/fax_images.hpp"
#include "tests/support/process.hpp"
#include "tests/tools/faxd_harness.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using test::FaxdHarness;
using test::json;

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The received fax as `format`, through received.fetch, into `out`.
void fetch(rpc::FaxClient& client, std::int64_t id, FaxFileFormat format, std::int32_t page,
           const fs::path& out) {
    std::ofstream file(out, std::ios::binary);
    rpc::fetch_received(client, id, format, page, file, std::chrono::seconds(60));
}

// The attachment of a MIME message with this Content-Type line, decoded.
std::string attachment(const std::string& message, const std::string& content_type) {
    const auto at = message.find("Content-Type: " + content_type);
    if (at == std::string::npos) return "";
    const auto body = message.find("\n\n", at) + 2;
    std::string text;
    for (auto i = body; i < message.size() && message[i] != '-'; ++i)
        if (message[i] != '\n') text += message[i];
    auto bytes = rpc::base64_decode(text);
    return bytes ? std::string(bytes->begin(), bytes->end()) : "";
}

TEST(FaxdReceivedFormats, FetchedMailedAndStoredAsPdfPixelForPixel) {
    FaxdHarness faxd([](faxd::Config& c) {
        const auto mailer = c.spool.parent_path() / "sendmail";
        std::ofstream(mailer) << "#!/bin/sh\ncat > " << (c.spool.parent_path() / "mail").string()
                              << "\n";
        fs::permissions(mailer, fs::perms::owner_all);
        c.routing.sendmail = {mailer.string(), "-t"};
    });
    const auto dir = faxd.tmp.path();
    fs::create_directories(dir / "inbox");
    auto admin = faxd.client("admin");
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kFolderRoutingGuid)},
                                {"data", (dir / "inbox").string() + ";format=pdf"},
                                {"enable", true}});
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kEmailRoutingGuid)},
                                {"data", "fax.desk@example.com"},
                                {"enable", true}});
    // Fine, then standard resolution: each PDF page keeps its own.
    rpc::submit_and_wait(
        *admin, {{"number", "5551002"},
                 {"document", test::document_base64(test::fixture("documents/mixed-res.tif"))}});
    const json fax = test::wait_for_received(*admin, [](const json& f) {
        return f["routing"].size() == 2 && f["routing"][0]["done"] == true &&
               f["routing"][1]["done"] == true;
    });
    ASSERT_FALSE(fax.is_null()) << admin->call("received.list").dump(2);
    const std::int64_t id = fax["id"];
    ASSERT_EQ(fax["pages"], 2);

    fetch(*admin, id, FaxFileFormat::Tiff, 0, dir / "fax.tif");
    fetch(*admin, id, FaxFileFormat::Pdf, 0, dir / "fax.pdf");
    std::string output;
    EXPECT_EQ(test::run({"/usr/bin/qpdf", "--check", (dir / "fax.pdf").string()}, output, dir), 0)
        << output;
    EXPECT_EQ(test::pdf_differs_from_tiff(dir / "fax.pdf", dir / "fax.tif", dir), "");

    // The PDF is made once per fax and is the same file wherever it goes.
    const std::string pdf = read_bytes(dir / "fax.pdf");
    const std::string mail = read_bytes(dir / "mail");
    EXPECT_NE(mail.find("filename=\"fax-" + std::to_string(id) + ".pdf\""), std::string::npos)
        << mail.substr(0, 2000);
    EXPECT_TRUE(attachment(mail, "application/pdf") == pdf) << "the mailed PDF differs";
    std::vector<fs::path> stored(fs::directory_iterator(dir / "inbox"), {});
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].extension(), ".pdf");
    EXPECT_TRUE(read_bytes(stored[0]) == pdf) << "the stored PDF differs";

    fetch(*admin, id, FaxFileFormat::Png, 2, dir / "page-2.png");
    const auto received = read_bilevel_pages(dir / "fax.tif");
    const auto png = test::read_png(dir / "page-2.png");
    EXPECT_EQ(png.page.width, received[1].width);
    EXPECT_EQ(png.page.height, received[1].height);
    EXPECT_TRUE(png.page.bits == received[1].bits) << "the PNG's pixels differ";
}

TEST(FaxdReceivedFormats, ABadFormatOrPageIsRefusedNamingIt) {
    FaxdHarness faxd;
    auto admin = faxd.client("admin");
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kFolderRoutingGuid)},
                                {"data", faxd.tmp.path().string()},
                                {"enable", true}});
    test::submit_short_fax(*admin);
    const json fax = test::wait_for_received(
        *admin, [](const json& f) { return f["routing"][0]["done"] == true; });
    ASSERT_FALSE(fax.is_null());
    const std::int64_t id = fax["id"];
    const auto refusal = [&](const json& params) -> std::string {
        json p = params;
        p["id"] = id;
        try {
            admin->call("received.fetch", p);
        } catch (const rpc::RpcError& e) {
            EXPECT_EQ(e.code(), rpc::kInvalidValue) << e.what();
            return e.what();
        }
        return "accepted";
    };
    EXPECT_EQ(refusal({{"format", "gif"}}),
              "received.fetch: format must be tiff, pdf or png, not \"gif\"");
    EXPECT_EQ(refusal({{"format", "png"}, {"page", 2}}),
              "fax " + std::to_string(id) + " has 1 page, no page 2");
    EXPECT_EQ(refusal({{"format", "pdf"}, {"page", 1}}),
              "received.fetch: page is for format png (a PDF or TIFF has every page)");
}

}  // namespace
}  // namespace faxemu
