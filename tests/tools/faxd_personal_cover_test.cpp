// A cover page of the client's own through faxd (FaxDoc.ServerCoverpage =
// False): job.submit's cover carries the SVG, faxd draws it first, reads no
// file of the server's that it names, and refuses it when the server allows
// only its own cover pages (FaxServer.ServerCoverpage).
#include <gtest/gtest.h>

#include <fstream>

#include "core/image_compare.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/submit.hpp"
#include "faxd_harness.hpp"
#include "tests/core/documents/converter.hpp"

namespace faxemu {
namespace {

using test::json;

constexpr auto ink_at = test::ink_at_points;

std::string base64(const std::string& text) {
    return rpc::base64_encode(std::vector<std::uint8_t>(text.begin(), text.end()));
}

json submit_with_cover(const std::string& svg) {
    return {{"number", "5551002"},
            {"display_name", "short.tif"},
            {"document", test::document_base64(test::fixture("documents/short-std-mmr.tif"))},
            {"cover", {{"document", base64(svg)}, {"name", "mine.svg"}, {"subject", "Hello"}}}};
}

TEST(FaxdPersonalCover, IsDrawnWithoutWhatItNamesOnTheServer) {
    test::FaxdHarness faxd;
    auto c = faxd.client("sender");
    auto admin = faxd.client("admin");
    // A file of the server's, black all over, that the template names.
    const auto secret = faxd.tmp.path() / "secret.svg";
    std::ofstream(secret) << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"144\" "
                             "height=\"144\"><rect width=\"144\" height=\"144\"/></svg>";
    const std::string svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
        "width=\"612\" height=\"792\">"
        "<rect x=\"72\" y=\"72\" width=\"144\" height=\"144\" fill=\"black\"/>"
        "<image x=\"300\" y=\"72\" width=\"144\" height=\"144\" xlink:href=\"file://" +
        secret.string() +
        "\"/>"
        "<text x=\"72\" y=\"300\" font-size=\"24\">{{subject}}</text></svg>";
    json job = rpc::submit_and_wait(*c, submit_with_cover(svg));
    const std::int64_t id = job["job_id"];
    EXPECT_EQ(job["page_count"], 2);  // the cover page and the document's one
    ASSERT_TRUE(test::wait_for(*c, [&] {
        return c->call("job.get", {{"job_id", id}})["state"] == "completed";
    }));
    const json fax = test::wait_for_first_reception(*admin);
    ASSERT_FALSE(fax.is_null()) << admin->call("received.list").dump(2);
    const auto fetched = faxd.tmp.path() / "received.tif";
    test::fetch_received(*admin, fax["id"].get<std::int64_t>(), fetched);
    const std::vector<BilevelPage> pages = read_bilevel_pages(fetched);
    ASSERT_EQ(pages.size(), 2u);
    // Well below the header band (5 mm) that Branding stamps.
    EXPECT_GT(ink_at(pages[0], 80, 80, 128, 128), 0.95) << "the template's own square";
    EXPECT_EQ(ink_at(pages[0], 300, 72, 144, 144), 0) << "the server's file, drawn";
    EXPECT_GT(ink_at(pages[0], 72, 276, 200, 30), 0.01) << "the subject's line";
}

TEST(FaxdPersonalCover, IsRefusedWhenTheServerAllowsOnlyItsOwn) {
    test::FaxdHarness faxd;
    auto c = faxd.client("sender");
    auto admin = faxd.client("admin");
    const std::string svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"612\" height=\"792\"/>";
    admin->call("server.set", {{"server_coverpage", true}});
    try {
        c->call("job.submit", submit_with_cover(svg));
        ADD_FAILURE() << "a personal cover page was accepted with ServerCoverpage on";
    } catch (const rpc::RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kAccessDenied) << e.what();
        EXPECT_NE(std::string(e.what()).find("cover page \"mine.svg\": this server allows only "
                                             "its own cover pages"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(c->call("jobs.list").empty());
    // The server's own still are.
    json own = submit_with_cover(svg);
    own["cover"] = {{"template", "default"}};
    EXPECT_EQ(rpc::submit_and_wait(*c, own)["page_count"], 2);

    // With it off, a template with entities is refused at once, naming it.
    admin->call("server.set", {{"server_coverpage", false}});
    try {
        c->call(
            "job.submit",
            submit_with_cover("<!DOCTYPE svg [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + svg));
        ADD_FAILURE() << "a cover page with entities was accepted";
    } catch (const rpc::RpcError& e) {
        EXPECT_EQ(e.code(), rpc::kBadDocument) << e.what();
        EXPECT_NE(std::string(e.what()).find("\"mine.svg\": declares a DOCTYPE"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace faxemu
