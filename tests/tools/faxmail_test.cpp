// E-mail to fax end to end: a MIME mail piped into the real faxmail reaches
// 5551002 on faxd's embedded default, pixel for pixel what the document
// pipeline makes of its PDF attachment, and its sender gets faxd's reply; a
// sender off the allow-list, a mail to no number, a mail with nothing to fax
// and an absent faxd each get their sendmail exit code, with nothing queued.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/documents/conversion.hpp"
#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"
#include "tests/support/process.hpp"
#include "tests/tools/faxd_harness.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::json;

// A multipart mail from `from` to `to`: `body` as text/plain (none if empty),
// then the PDF `attachment` in base64 (none if empty).
std::string mime_mail(const std::string& from, const std::string& to, const std::string& body,
                      const fs::path& attachment) {
    std::string m = "From: Alice <" + from + ">\nTo: " + to +
                    "\nSubject: Figures\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n";
    if (!body.empty())
        m += "Content-Type: text/plain; charset=iso-8859-1\n"
             "Content-Transfer-Encoding: quoted-printable\n\n" +
             body + "\n--b1\n";
    if (!attachment.empty()) {
        std::string b64 = test::document_base64(attachment);
        m += "Content-Type: application/pdf; name=\"figures.pdf\"\n"
             "Content-Disposition: attachment; filename=\"figures.pdf\"\n"
             "Content-Transfer-Encoding: base64\n\n";
        for (std::size_t i = 0; i < b64.size(); i += 76) m += b64.substr(i, 76) + "\n";
        m += "--b1\n";
    }
    m.back() = '-';
    return m + "-\n";
}

class Faxmail : public ::testing::Test {
  protected:
    Faxmail()
        : faxd([](faxd::Config& c) {
              // The notices go through the routing mailer: captured in a file.
              const auto mailer = c.spool.parent_path() / "sendmail";
              std::ofstream(mailer)
                  << "#!/bin/sh\ncat >> " << (c.spool.parent_path() / "mailbox").string() << "\n";
              fs::permissions(mailer, fs::perms::owner_all);
              c.routing.sendmail = {mailer.string(), "-t", "-oi"};
              c.routing.mail_from = "fax@fax.example";
          }),
          dir(faxd.tmp.path()) {
        std::ofstream(dir / "faxmail.toml")
            << "[faxmail]\nallowed_senders = [\"*@example.com\", \"boss@x.org\"]\n";
    }

    // faxmail with `mail` on stdin, logged in to the harness's faxd as "sender";
    // its exit status, its output in `output`.
    int faxmail(const std::string& mail, std::string& output, std::vector<std::string> args = {}) {
        std::ofstream(dir / "in.eml", std::ios::binary) << mail;
        std::string command = std::string("exec '") + FAXMAIL_PATH + "' --config '" +
                              (dir / "faxmail.toml").string() + "'";
        if (std::find(args.begin(), args.end(), "--server") == args.end())
            command += " --server 127.0.0.1:" + std::to_string(faxd.daemon->tcp_port());
        for (const std::string& a : args) command += " '" + a + "'";
        command += " < '" + (dir / "in.eml").string() + "'";
        return test::run({"/bin/sh", "-c", command}, output, dir,
                         {"FAXEMU_USER=sender", std::string("FAXEMU_PASSWORD=") + test::kPassword});
    }

    json all_jobs() { return admin->call("jobs.list", {{"all", true}}); }

    test::FaxdHarness faxd;
    fs::path dir;
    std::unique_ptr<rpc::FaxClient> admin = faxd.client("admin");
};

TEST_F(Faxmail, APdfMailReaches5551002AndItsSenderGetsTheReply) {
    const fs::path pdf = test::fixture("documents/rects-letter.pdf");
    std::string output;
    ASSERT_EQ(faxmail(mime_mail("alice@example.com", "5551002@fax.example", "", pdf), output), 0)
        << output;
    EXPECT_NE(output.find("queued for 5551002, from alice@example.com"), std::string::npos)
        << output;

    json job;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        const json list = all_jobs();
        if (list.size() != 1) return false;
        job = list[0];
        return is_final(*job_state_from_string(job["state"].get<std::string>()));
    })) << all_jobs().dump(2);
    EXPECT_EQ(job["state"], "completed") << job.dump(2);
    EXPECT_EQ(job["fax_number"], "5551002");
    EXPECT_EQ(job["notify"]["address"], "alice@example.com");

    const json fax = test::wait_for_first_reception(*admin);
    ASSERT_FALSE(fax.is_null()) << admin->call("received.list").dump(2);
    EXPECT_EQ(fax["port_name"], faxd.config.ports[1].name);  // the port of 5551002
    test::fetch_received(*admin, fax["id"].get<std::int64_t>(), dir / "received.tif");

    // What arrived is what the document pipeline makes of the PDF.
    ConversionRequest request;
    request.input = pdf;
    request.name = "figures.pdf";
    request.output = dir / "converted.tif";
    request.work_dir = dir / "work";
    const ConversionResult converted = convert_document(request);
    EXPECT_EQ(job["page_count"], converted.page_count);
    const ImageComparison cmp =
        compare_fax_images_below_band(request.output, dir / "received.tif", kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;

    // The reply, through faxd's mailer, to the sender.
    const fs::path mailbox = dir / "mailbox";
    ASSERT_TRUE(test::wait_for_text(mailbox, "Result:", 30s)) << test::read_text(mailbox);
    const std::string reply = test::read_text(mailbox);
    EXPECT_NE(reply.find("To: alice@example.com\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("From: fax@fax.example\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Subject: Fax job " + std::to_string(job["job_id"].get<int>()) +
                         " to 5551002: sent\n"),
              std::string::npos)
        << reply;
    EXPECT_NE(reply.find("was sent"), std::string::npos) << reply;
}

TEST_F(Faxmail, TheBodyComesFirstThenEveryAttachmentInOrder) {
    std::string output;
    ASSERT_EQ(faxmail(mime_mail("boss@X.org", "someone@fax.example",
                                "Please see the figures.=0AGr=FC=DFe",
                                test::fixture("documents/rects-a4.pdf")),
                      output, {"5551002"}),
              0)
        << output;
    const json list = all_jobs();
    ASSERT_EQ(list.size(), 1u);
    // One page of text, then the PDF's two.
    EXPECT_EQ(list[0]["page_count"], 3) << list[0].dump(2);
    EXPECT_EQ(list[0]["display_name"], "Figures");
}

TEST_F(Faxmail, ARefusedSenderExits77AndNothingIsQueued) {
    std::string output;
    EXPECT_EQ(faxmail(mime_mail("mallory@example.org", "5551002@fax.example", "hello",
                                test::fixture("documents/rects-a4.pdf")),
                      output),
              77)
        << output;
    EXPECT_NE(output.find("sender mallory@example.org may not send faxes"), std::string::npos)
        << output;
    EXPECT_TRUE(all_jobs().empty());
}

TEST_F(Faxmail, AMailToNoNumberIsRefusedSayingSo) {
    std::string output;
    EXPECT_EQ(faxmail(mime_mail("alice@example.com", "fax-desk@fax.example", "hello", {}), output),
              67)
        << output;
    EXPECT_NE(output.find("no fax number: the mail is for fax-desk@fax.example"), std::string::npos)
        << output;
    EXPECT_TRUE(all_jobs().empty());
}

TEST_F(Faxmail, AMailWithNothingToFaxExits65) {
    std::string output;
    EXPECT_EQ(faxmail(mime_mail("alice@example.com", "5551002@fax.example", "", {}), output), 65)
        << output;
    EXPECT_NE(output.find("nothing to fax"), std::string::npos) << output;
    EXPECT_TRUE(all_jobs().empty());
}

TEST_F(Faxmail, AnAbsentFaxdIsATemporaryFailure) {
    std::string output;
    EXPECT_EQ(faxmail(mime_mail("alice@example.com", "5551002@fax.example", "hello", {}), output,
                      {"--server", "unix:" + (dir / "no-faxd.sock").string()}),
              75)
        << output;
    EXPECT_NE(output.find("cannot reach faxd"), std::string::npos) << output;
}

}  // namespace
}  // namespace faxemu
