#include "core/routing_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + p.string());
}

// An executable /bin/sh script at `p`.
std::string script(const fs::path& p, const std::string& body) {
    spit(p, "#!/bin/sh\n" + body);
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

const fs::path kFixture = fs::path(FAXEMU_SOURCE_DIR) / "fixtures/documents/short-std-mmr.tif";
// The fax's end time, 1'700'000'060 s after the epoch.
constexpr const char* kStamp = "20231114T221420";
constexpr const char* kIso = "2023-11-14T22:14:20Z";

// A received fax whose file is a copy of the fixture inside `dir`.
class RoutingRunnerTest : public ::testing::Test {
  protected:
    RoutingRunnerTest() {
        fs::create_directories(dir.path() / "spool");
        fax.file = (dir.path() / "spool" / "fax-42.tif").string();
        fs::copy_file(kFixture, fax.file);
        original = slurp(kFixture);
        fax.id = 42;
        fax.device_id = 3;
        fax.port_name = "modem1";
        fax.pages = 2;
        fax.remote_ident = "+1 555 0100";
        fax.caller_id = "5550100";
        fax.csid = "+1 555 0199";
        fax.start = TimePoint{std::chrono::seconds{1'700'000'000}};
        fax.end = fax.start + std::chrono::seconds{60};
        config.program_timeout = std::chrono::seconds{30};
        for (const char* name : {"hook", "nothing-here", "not-executable"})
            config.allowed_programs.push_back((dir.path() / name).string());
        // faxd gives the document pipeline's export_fax; a stand-in says what
        // it was asked, so the runner's part is seen on its own.
        fs::create_directories(dir.path() / "work");
        config.work_dir = dir.path() / "work";
        config.export_fax = [](const fs::path& tiff, FaxFileFormat format, const fs::path& out) {
            spit(out, std::string(format_name(format)) + " of " + slurp(tiff));
        };
    }

    // What the stand-in export_fax makes of the fax as `format`.
    std::string exported(FaxFileFormat format) const {
        return std::string(format_name(format)) + " of " + original;
    }

    // A failing method must not lose or damage the fax.
    void expect_fax_intact() const {
        ASSERT_TRUE(fs::exists(fax.file));
        EXPECT_EQ(slurp(fax.file), original);
    }

    RoutingRun run(RoutingKind kind, const std::string& data) const {
        return RoutingRunner(config).run(kind, data, fax);
    }

    TempDir dir;
    ReceivedFax fax;
    std::string original;
    RoutingConfig config;
};

// ---- Folder -----------------------------------------------------------------

TEST_F(RoutingRunnerTest, FolderStoresAPdfWhenItsDataSaysSo) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    const auto r = run(RoutingKind::Folder, out.string() + ";format=PDF");
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, (out / (std::string("fax-42-") + kStamp + ".pdf")).string());
    EXPECT_EQ(slurp(r.detail), exported(FaxFileFormat::Pdf));
    // Routed again: the same PDF is the copy already there.
    EXPECT_EQ(run(RoutingKind::Folder, out.string() + ";format=pdf").detail, r.detail);
    EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
    // The PDF made for it is gone from the work folder.
    EXPECT_TRUE(fs::is_empty(dir.path() / "work"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, AFormatThatCannotBeMadeFailsTheMethodNamingTheFax) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    config.export_fax = [](const fs::path& tiff, FaxFileFormat, const fs::path& out_file) {
        throw std::runtime_error(tiff.string() + " unreadable; nothing in " + out_file.string());
    };
    auto r = run(RoutingKind::Folder, out.string() + ";format=pdf");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("Store in a folder for fax 42: cannot make the fax a pdf"));
    EXPECT_THAT(r.detail, Not(HasSubstr(dir.path().string())));
    config.export_fax = nullptr;
    r = run(RoutingKind::Email, "a@example.com");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("cannot make pdf files"));
    EXPECT_TRUE(fs::is_empty(out));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, FolderCopyIsByteIdentical) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    const auto r = run(RoutingKind::Folder, out.string());
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, (out / (std::string("fax-42-") + kStamp + ".tif")).string());
    EXPECT_EQ(slurp(r.detail), original);
    // Nothing else left behind (no temporary file).
    EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, FolderCopyIsNotWorldReadableWhateverTheUmask) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    const mode_t old = ::umask(0);
    const auto r = run(RoutingKind::Folder, out.string());
    ::umask(old);
    ASSERT_TRUE(r.ok) << r.detail;
    struct stat st {};
    ASSERT_EQ(::stat(r.detail.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(RoutingRunnerTest, FailuresNameTheFaxNotItsFileInTheSpool) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    fs::remove(fax.file);
    for (RoutingKind kind : {RoutingKind::Folder, RoutingKind::Email, RoutingKind::Print}) {
        const auto r = run(kind, kind == RoutingKind::Folder  ? out.string()
                                 : kind == RoutingKind::Email ? "ops@example.com"
                                                              : "office");
        EXPECT_FALSE(r.ok);
        EXPECT_THAT(r.detail, HasSubstr("for fax 42"));
        EXPECT_THAT(r.detail, Not(HasSubstr((dir.path() / "spool").string())));
    }
}

// Routing the same fax again (faxd killed after the copy, before its record)
// finds the copy it made; a different file under the name is never replaced.
TEST_F(RoutingRunnerTest, FolderRoutingTheSameFaxAgainKeepsOneCopy) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    const std::string stem = (out / (std::string("fax-42-") + kStamp)).string();
    for (int i = 0; i < 3; ++i) {
        const auto r = run(RoutingKind::Folder, out.string());
        ASSERT_TRUE(r.ok) << r.detail;
        EXPECT_EQ(r.detail, stem + ".tif");
        EXPECT_EQ(slurp(r.detail), original);
    }
    EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);

    spit(stem + ".tif", "edited by the operator");
    const auto r = run(RoutingKind::Folder, out.string());
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, stem + "-2.tif");
    EXPECT_EQ(slurp(stem + ".tif"), "edited by the operator");
    EXPECT_EQ(slurp(r.detail), original);
}

// A copy left half done by a faxd that was killed is removed at start-up;
// one of a live process is not.
TEST_F(RoutingRunnerTest, StaleTemporariesOfADeadProcessAreRemoved) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    // A pid that cannot be alive: above the kernel's pid_max limit (4194304).
    const auto stale = out / ".fax-42.tmp-999999999-0";
    const auto live = out / (".fax-42.tmp-" + std::to_string(::getpid()) + "-0");
    const auto other = out / ".fax-notes.tmp-x";
    for (const auto& f : {stale, live, other}) spit(f, "x");
    EXPECT_EQ(RoutingRunner::remove_stale_temporaries(out.string()), 1);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(live));
    EXPECT_TRUE(fs::exists(other));
}

TEST_F(RoutingRunnerTest, FolderNeverWritesThroughAPlantedSymlink) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    const auto target = dir.path() / "victim.txt";
    spit(target, "keep");
    fs::create_symlink(target, out / (std::string("fax-42-") + kStamp + ".tif"));
    const auto r = run(RoutingKind::Folder, out.string());
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, (out / (std::string("fax-42-") + kStamp + "-2.tif")).string());
    EXPECT_EQ(slurp(target), "keep");
    EXPECT_EQ(slurp(r.detail), original);
}

TEST_F(RoutingRunnerTest, FolderRefusesMissingDirectory) {
    const auto r = run(RoutingKind::Folder, (dir.path() / "nowhere").string());
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("fax 42"));
    EXPECT_THAT(r.detail, HasSubstr("does not exist"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, FolderRefusesAFileInsteadOfADirectory) {
    const auto file = dir.path() / "plain";
    spit(file, "x");
    const auto r = run(RoutingKind::Folder, file.string());
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("fax 42"));
    EXPECT_THAT(r.detail, HasSubstr("not a directory"));
    EXPECT_EQ(slurp(file), "x");
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, MissingFaxFileIsReported) {
    const auto out = dir.path() / "inbox";
    fs::create_directory(out);
    fax.file = (dir.path() / "spool" / "gone.tif").string();
    const auto r = run(RoutingKind::Folder, out.string());
    EXPECT_FALSE(r.ok);
    // Named by the fax's id: its path in the spool is faxd's business (and its log's).
    EXPECT_THAT(r.detail, HasSubstr("for fax 42: the fax's file: No such file"));
    EXPECT_THAT(r.detail, Not(HasSubstr("gone.tif")));
    EXPECT_TRUE(fs::is_empty(out));
}

TEST_F(RoutingRunnerTest, InvalidRoutingDataIsRefused) {
    EXPECT_FALSE(run(RoutingKind::Folder, "relative/dir").ok);
    EXPECT_FALSE(run(RoutingKind::Email, "a@example.com\nBcc: b@example.com").ok);
    EXPECT_FALSE(run(RoutingKind::Print, "-oevil").ok);
    const auto r = run(RoutingKind::RunProgram, "");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, StartsWith("Run a program for fax 42: "));
    expect_fax_intact();
}

// ---- Email ------------------------------------------------------------------

std::string base64_decode(const std::string& text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else if (c == '=' || c == '\n' || c == '\r')
            continue;
        else
            throw std::runtime_error(std::string("bad base64 character ") + c);
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

// The value of header `name` in the message's header block, or "<missing>".
std::string header(const std::string& message, const std::string& name) {
    for (const auto& line : lines(message.substr(0, message.find("\n\n")))) {
        if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    }
    return "<missing>";
}

class RoutingRunnerEmailTest : public RoutingRunnerTest {
  protected:
    RoutingRunnerEmailTest() {
        const auto d = dir.path().string();
        config.sendmail = {script(dir.path() / "sendmail",
                                  "printf '%s\\n' \"$@\" > " + d + "/args\ncat > " + d + "/msg\n"),
                           "-t", "-oi"};
    }
    std::string message() const { return slurp(dir.path() / "msg"); }
};

// The message's parts, split at its MIME boundary; empty if it is not closed.
std::vector<std::string> mime_parts(const std::string& m) {
    const auto type = header(m, "Content-Type");
    const auto boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);
    std::vector<std::string> parts;
    for (const auto& line : lines(m)) {
        if (line == "--" + boundary) {
            parts.emplace_back();
        } else if (line == "--" + boundary + "--") {
            return parts;
        } else if (!parts.empty()) {
            parts.back() += line + "\n";
        }
    }
    return {};
}

TEST_F(RoutingRunnerEmailTest, MailsAPdfByDefault) {
    const auto r = run(RoutingKind::Email, "fax.desk@example.com");
    ASSERT_TRUE(r.ok) << r.detail;
    const auto parts = mime_parts(message());
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_THAT(parts[1], HasSubstr("Content-Type: application/pdf; name=\"fax-42.pdf\""));
    EXPECT_THAT(parts[1], HasSubstr("Content-Disposition: attachment; filename=\"fax-42.pdf\""));
    EXPECT_EQ(base64_decode(parts[1].substr(parts[1].find("\n\n") + 2)),
              exported(FaxFileFormat::Pdf));
    EXPECT_TRUE(fs::is_empty(dir.path() / "work"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerEmailTest, MailsTheFaxAsATiffAttachmentWhenAsked) {
    const auto r = run(RoutingKind::Email, "fax.desk@example.com;format=tiff");
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(r.detail, "mailed to fax.desk@example.com");
    EXPECT_EQ(slurp(dir.path() / "args"), "-t\n-oi\n");

    const auto m = message();
    EXPECT_EQ(header(m, "From"), "faxemu");
    EXPECT_EQ(header(m, "To"), "fax.desk@example.com");
    EXPECT_EQ(header(m, "Subject"), "Fax from +1 555 0100 (2 pages)");
    EXPECT_THAT(header(m, "Date"),
                ::testing::MatchesRegex("[A-Z][a-z][a-z], [0-9]+ [A-Z][a-z][a-z] [0-9]+ "
                                        "[0-9]+:[0-9]+:[0-9]+ \\+0000"));
    EXPECT_THAT(header(m, "Message-ID"), ::testing::MatchesRegex("<faxemu\\.42\\..*@.*>"));
    EXPECT_EQ(header(m, "MIME-Version"), "1.0");
    const auto type = header(m, "Content-Type");
    ASSERT_THAT(type, StartsWith("multipart/mixed; boundary=\""));
    const auto boundary = type.substr(type.find('"') + 1, type.rfind('"') - type.find('"') - 1);
    ASSERT_FALSE(boundary.empty());

    // Split into parts at the boundary lines.
    std::vector<std::string> parts;
    bool closed = false;
    for (const auto& line : lines(m)) {
        if (line == "--" + boundary) {
            parts.emplace_back();
        } else if (line == "--" + boundary + "--") {
            closed = true;
        } else if (!parts.empty() && !closed) {
            parts.back() += line + "\n";
        }
    }
    ASSERT_TRUE(closed);
    ASSERT_EQ(parts.size(), 2u);

    EXPECT_THAT(parts[0], HasSubstr("Content-Type: text/plain"));
    EXPECT_THAT(parts[0], HasSubstr("modem1"));
    EXPECT_THAT(parts[0], HasSubstr("Pages:     2"));
    EXPECT_THAT(parts[0], HasSubstr("+1 555 0100"));
    EXPECT_THAT(parts[0], HasSubstr("5550100"));
    EXPECT_THAT(parts[0], HasSubstr(kIso));

    ASSERT_THAT(parts[1], HasSubstr("Content-Type: image/tiff"));
    EXPECT_THAT(parts[1], HasSubstr("Content-Transfer-Encoding: base64"));
    const auto body = parts[1].substr(parts[1].find("\n\n") + 2);
    for (const auto& line : lines(body)) EXPECT_LE(line.size(), 76u);
    EXPECT_EQ(lines(body).front().size(), 76u);  // the fixture is > 57 bytes
    EXPECT_EQ(base64_decode(body), original);
    expect_fax_intact();
}

TEST_F(RoutingRunnerEmailTest, CallerTextCannotAddHeaders) {
    fax.remote_ident = "Evil\r\nBcc: victim@example.com";
    fax.pages = 1;
    const auto r = run(RoutingKind::Email, "fax.desk@example.com");
    ASSERT_TRUE(r.ok) << r.detail;
    const auto m = message();
    EXPECT_EQ(header(m, "Bcc"), "<missing>");
    EXPECT_EQ(header(m, "Subject"), "Fax from Evil??Bcc: victim@example.com (1 page)");
}

TEST_F(RoutingRunnerEmailTest, SubjectFallsBackToCallerIdThenUnknown) {
    fax.remote_ident = "   ";
    ASSERT_TRUE(run(RoutingKind::Email, "a@example.com").ok);
    EXPECT_EQ(header(message(), "Subject"), "Fax from 5550100 (2 pages)");
    fax.caller_id.clear();
    ASSERT_TRUE(run(RoutingKind::Email, "a@example.com").ok);
    EXPECT_EQ(header(message(), "Subject"), "Fax from unknown (2 pages)");
}

TEST_F(RoutingRunnerEmailTest, MailerFailureIsReported) {
    config.sendmail = {
        script(dir.path() / "badmail", "cat > /dev/null\necho 'no route to host' >&2\nexit 75\n")};
    const auto r = run(RoutingKind::Email, "a@example.com");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("fax 42"));
    EXPECT_THAT(r.detail, HasSubstr("exited with status 75"));
    EXPECT_THAT(r.detail, HasSubstr("no route to host"));
    expect_fax_intact();
}

// ---- Print ------------------------------------------------------------------

TEST_F(RoutingRunnerTest, PrintRunsTheCommandWithSubstitutions) {
    const auto lp = script(dir.path() / "lp",
                           "printf '%s\\n' \"$@\" > " + (dir.path() / "args").string() + "\n");
    config.print_command = {lp, "-d", "{printer}", "-o", "x{printer}", "{file}"};
    const auto r = run(RoutingKind::Print, "office-laser");
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_THAT(r.detail, HasSubstr("office-laser"));
    EXPECT_EQ(slurp(dir.path() / "args"), "-d\noffice-laser\n-o\nx{printer}\n" + fax.file + "\n");
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, MissingPrintCommandIsReported) {
    config.print_command = {(dir.path() / "no-lp").string(), "{file}"};
    const auto r = run(RoutingKind::Print, "office-laser");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("Print for fax 42"));
    EXPECT_THAT(r.detail, HasSubstr("no-lp not found"));
    expect_fax_intact();
}

// ---- RunProgram -------------------------------------------------------------

// Issue 14: {file} was replaced for print but passed literally to a program.
// The same placeholders, replaced alike, whole arguments only.
TEST_F(RoutingRunnerTest, ProgramArgumentsHaveThePrintCommandsPlaceholders) {
    const auto out = (dir.path() / "args").string();
    const auto prog = script(dir.path() / "hook", "printf '%s\\n' \"$@\" > " + out + "\n");
    const auto r = run(RoutingKind::RunProgram,
                       prog + " --in {file} --id {id} --pages {pages} --port {port} x{file}");
    ASSERT_TRUE(r.ok) << r.detail;
    // {file} named: the file goes there, not once more at the end.
    EXPECT_EQ(slurp(out),
              "--in\n" + fax.file + "\n--id\n42\n--pages\n2\n--port\nmodem1\nx{file}\n");
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, PrintCommandHasTheProgramsPlaceholders) {
    const auto lp = script(dir.path() / "lp",
                           "printf '%s\\n' \"$@\" > " + (dir.path() / "args").string() + "\n");
    config.print_command = {lp, "-t", "{id}", "{received}", "{file}"};
    const auto r = run(RoutingKind::Print, "office-laser");
    ASSERT_TRUE(r.ok) << r.detail;
    EXPECT_EQ(slurp(dir.path() / "args"), "-t\n42\n"s + kIso + "\n" + fax.file + "\n");
}

TEST_F(RoutingRunnerTest, ProgramNotAllowedIsNotRun) {
    // RoutingData stored before the allow-list changed: the runner checks again.
    const auto ran = dir.path() / "ran";
    const auto prog = script(dir.path() / "unlisted", "touch " + ran.string() + "\n");
    const auto r = run(RoutingKind::RunProgram, prog + " --flag");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("Run a program for fax 42"));
    EXPECT_THAT(r.detail, HasSubstr(prog));
    EXPECT_THAT(r.detail, HasSubstr("routing.allowed_programs"));
    EXPECT_FALSE(fs::exists(ran));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, ProgramGetsTheFaxAsArgumentAndEnvironment) {
    const auto out = (dir.path() / "out").string();
    const auto prog =
        script(dir.path() / "hook", "printf '%s\\n' \"$@\" > " + out + ".args\nenv > " + out +
                                        ".env\nread line || echo stdin-empty > " + out + ".in\n");
    ASSERT_EQ(::setenv("FAXEMU_ROUTING_SECRET", "leak", 1), 0);
    fax.partial = true;
    const auto r = run(RoutingKind::RunProgram, prog + "  --flag   value ");
    ::unsetenv("FAXEMU_ROUTING_SECRET");
    ASSERT_TRUE(r.ok) << r.detail;

    EXPECT_EQ(slurp(out + ".args"), "--flag\nvalue\n" + fax.file + "\n");
    std::set<std::string> env;
    for (const auto& line : lines(slurp(out + ".env"))) env.insert(line);
    for (const std::string& want :
         {"FAX_FILE=" + fax.file, "FAX_PAGES=2"s, "FAX_SENDER_ID=+1 555 0100"s,
          "FAX_CALLER_ID=5550100"s, "FAX_PORT=modem1"s, "FAX_DEVICE_ID=3"s, "FAX_ID=42"s,
          "FAX_CSID=+1 555 0199"s, "FAX_RECEIVED="s + kIso, "FAX_PARTIAL=1"s}) {
        EXPECT_TRUE(env.count(want)) << want;
    }
    EXPECT_TRUE(std::any_of(env.begin(), env.end(),
                            [](const std::string& e) { return e.rfind("PATH=", 0) == 0; }));
    EXPECT_FALSE(std::any_of(env.begin(), env.end(), [](const std::string& e) {
        return e.find("FAXEMU_ROUTING_SECRET") != std::string::npos;
    }));
    EXPECT_EQ(slurp(out + ".in"), "stdin-empty\n");  // stdin is /dev/null
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, FailingProgramReportsStatusAndStderr) {
    const auto prog = script(dir.path() / "hook", "echo 'disk on fire' >&2\nexit 3\n");
    const auto r = run(RoutingKind::RunProgram, prog);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("fax 42"));
    EXPECT_THAT(r.detail, HasSubstr(prog));
    EXPECT_THAT(r.detail, HasSubstr("exited with status 3"));
    EXPECT_THAT(r.detail, HasSubstr("disk on fire"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, ProgramKilledBySignalIsReported) {
    const auto prog = script(dir.path() / "hook", "kill -USR1 $$\nsleep 5\n");
    const auto r = run(RoutingKind::RunProgram, prog);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("signal 10 (SIGUSR1)"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, LargeOutputNeitherBlocksNorFloodsTheDetail) {
    const auto prog = script(dir.path() / "hook",
                             "head -c 1000000 /dev/zero | tr '\\0' o\n"
                             "head -c 1000000 /dev/zero | tr '\\0' e >&2\nexit 1\n");
    const auto r = run(RoutingKind::RunProgram, prog);
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("exited with status 1: eeee"));
    EXPECT_LT(r.detail.size(), 1000u);
}

TEST_F(RoutingRunnerTest, HangingProgramIsKilledAtTheTimeout) {
    // Ignores SIGTERM (and so does its child), so this also covers SIGKILL.
    const auto prog =
        script(dir.path() / "hook", "trap '' TERM\necho started >&2\nsleep 60\nexit 0\n");
    config.program_timeout = std::chrono::seconds{1};
    const auto begin = std::chrono::steady_clock::now();
    const auto r = run(RoutingKind::RunProgram, prog);
    const auto took = std::chrono::steady_clock::now() - begin;
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("timed out after 1 s"));
    EXPECT_THAT(r.detail, HasSubstr("SIGKILL"));
    EXPECT_THAT(r.detail, HasSubstr("started"));
    EXPECT_GE(took, std::chrono::seconds{1});
    EXPECT_LT(took, std::chrono::seconds{20});
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, MissingProgramIsReported) {
    const auto r = run(RoutingKind::RunProgram, (dir.path() / "nothing-here").string() + " -x");
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("Run a program for fax 42"));
    EXPECT_THAT(r.detail, HasSubstr("nothing-here not found"));
    expect_fax_intact();
}

TEST_F(RoutingRunnerTest, NonExecutableProgramIsReported) {
    const auto prog = dir.path() / "not-executable";
    spit(prog, "#!/bin/sh\nexit 0\n");
    fs::permissions(prog, fs::perms::owner_read | fs::perms::owner_write);
    const auto r = run(RoutingKind::RunProgram, prog.string());
    EXPECT_FALSE(r.ok);
    EXPECT_THAT(r.detail, HasSubstr("cannot run"));
    EXPECT_THAT(r.detail, Not(HasSubstr("not found")));
    expect_fax_intact();
}

}  // namespace
}  // namespace faxemu
