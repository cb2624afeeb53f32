#include "core/accounting_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{std::chrono::sys_days{std::chrono::year{2026} / 12 / 7} + 13h + 40min + 5s};

AccountingRecord a_send() {
    AccountingRecord r;
    r.start = kStart;
    r.end = kStart + 42s + 400ms;
    r.outbound = true;
    r.id = 17;
    r.user = "alice";
    r.number = "+1 555 210 2000";
    r.dialled = "9,2102000";
    r.remote_ident = "+1 555 1002";
    r.port = "Simulated port 1";
    r.pages = 3;
    r.session = {14400, "V.17", "fine", "MMR", true};
    r.result = "ok";
    r.cause = "OK";
    return r;
}

std::vector<std::string> fields_of(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line.substr(0, line.size() - 1));
    for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
    if (!line.empty() && line[line.size() - 2] == '\t') out.push_back("");
    return out;
}

TEST(AccountingLog, ALineHoldsEveryFieldInOrder) {
    const std::string line = accounting_line(a_send());
    EXPECT_EQ(line,
              "2026-12-07T13:40:05Z\tSEND\t17\talice\t+1 555 210 2000\t9,2102000\t+1 555 1002\t"
              "Simulated port 1\t3\t42\t14400\tV.17 fine MMR ECM\tok\tOK\n");
    AccountingRecord rx;
    rx.start = kStart;
    rx.end = kStart;
    rx.id = 4;
    rx.result = "no carrier";
    const auto f = fields_of(accounting_line(rx));
    ASSERT_EQ(f.size(), 14u);
    EXPECT_EQ(f[1], "RECV");
    EXPECT_EQ(f[10], "0");
    EXPECT_EQ(f[11], "");
    EXPECT_EQ(f[12], "no carrier");
}

// A far end chooses its CSID: it must not be able to add a field or a line.
TEST(AccountingLog, AHostileIdentCannotForgeAFieldOrALine) {
    AccountingRecord r = a_send();
    r.remote_ident = "evil\tRECV\n2026-01-01T00:00:00Z\tSEND\t\\t\x1b[2J";
    r.cause = "a\r\nb";
    const std::string line = accounting_line(r);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
    EXPECT_EQ(line.back(), '\n');
    const auto f = fields_of(line);
    ASSERT_EQ(f.size(), 14u);
    EXPECT_EQ(f[6], "evil\\tRECV\\n2026-01-01T00:00:00Z\\tSEND\\t\\\\t\\x1b[2J");
    EXPECT_EQ(f[13], "a\\r\\nb");
}

TEST(AccountingLog, LinesAreAppendedAndSyncedInOrder) {
    test::TempDir dir;
    const auto path = dir.path() / "xferfaxlog";
    {
        std::ofstream(path) << "an older line\n";
        AccountingLog log(path, 0640);
        AccountingRecord r = a_send();
        for (int i = 1; i <= 50; ++i) {
            r.id = i;
            log.append(r);
        }
        log.flush();
        std::ifstream in(path);
        std::string first;
        std::getline(in, first);
        EXPECT_EQ(first, "an older line");
        int n = 0;
        for (std::string l; std::getline(in, l);)
            EXPECT_EQ(fields_of(l + "\n")[2], std::to_string(++n));
        EXPECT_EQ(n, 50);
        r.id = 51;
        log.append(r);  // written by the destructor
    }
    std::ifstream in(path);
    int lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    EXPECT_EQ(lines, 52);
}

TEST(AccountingLog, AFileThatCannotBeOpenedIsNamed) {
    test::TempDir dir;
    try {
        AccountingLog log(dir.path() / "missing" / "xferfaxlog", 0640);
        FAIL() << "opened";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing/xferfaxlog"), std::string::npos);
    }
}

}  // namespace
}  // namespace faxemu
