// faxd's /metrics and /health ([metrics] listen) over a real TCP socket:
// counters move by exactly what a fax did, the text is Prometheus' format
// (read strictly here and by promtool, Prometheus' own checker), the health
// check tells a store that cannot be written.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <fstream>

#include "tests/tools/faxd_harness.hpp"
#include "tests/tools/http_get.hpp"
#include "tests/tools/prometheus_text_check.hpp"

namespace faxemu {
namespace {

using test::http_get;
using test::MetricSamples;

std::string series(const std::string& name, const std::map<std::string, std::string>& labels) {
    std::string key = name + "{";
    for (const auto& [k, v] : labels) key += k + "=\"" + v + "\",";
    return key + "}";
}

// Prometheus' own checker (Debian's prometheus package) on `text`; its output
// on failure. promtool lints too (names, HELP), which faxd's metrics meet.
std::string promtool_problems(const std::string& text, const std::filesystem::path& dir) {
    const auto file = dir / "metrics.txt";
    std::ofstream(file) << text;
    const std::string command = "promtool check metrics < " + file.string() + " 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return "cannot run promtool";
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = ::pclose(p);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return "promtool is not installed";
    return status == 0 ? "" : "promtool: " + out;
}

struct MetricsFaxd : ::testing::Test {
    test::FaxdHarness faxd{[](faxd::Config& c) {
        c.metrics_listen = "127.0.0.1:0";
        c.server.retries = 0;  // a failed call fails its job for good
    }};
    std::uint16_t port() const { return faxd.daemon->metrics_port(); }

    MetricSamples scrape() {
        const test::HttpAnswer a = http_get(port(), "/metrics");
        EXPECT_EQ(a.status, 200);
        EXPECT_EQ(a.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        EXPECT_EQ(promtool_problems(a.body, faxd.tmp.path()), "");
        return test::parse_prometheus_text(a.body);
    }
};

const std::string kOutDone =
    series("faxd_calls_total", {{"direction", "out"}, {"result", "completed"}});
const std::string kOutFailed =
    series("faxd_calls_total", {{"direction", "out"}, {"result", "failed"}});
const std::string kInDone =
    series("faxd_calls_total", {{"direction", "in"}, {"result", "completed"}});
const std::string kInFailed =
    series("faxd_calls_total", {{"direction", "in"}, {"result", "failed"}});
const std::string kPagesOut = series("faxd_pages_total", {{"direction", "out"}});
const std::string kPagesIn = series("faxd_pages_total", {{"direction", "in"}});

// Each series of `after` minus `before` (series that did not move are left out).
std::map<std::string, double> moved(const MetricSamples& before, const MetricSamples& after,
                                    const std::string& prefix) {
    std::map<std::string, double> d;
    for (const auto& [key, value] : after)
        if (key.rfind(prefix, 0) == 0 && value != before.at(key)) d[key] = value - before.at(key);
    return d;
}

TEST_F(MetricsFaxd, OneFaxBetweenThePortsMovesEachCounterByExactlyOne) {
    ASSERT_NE(port(), 0);
    const MetricSamples before = scrape();
    EXPECT_EQ(before.at(series("faxd_build_info", {{"version", FAXEMU_VERSION}})), 1);
    EXPECT_GT(before.at(series("process_start_time_seconds", {})), 1.7e9);
    EXPECT_EQ(before.at(series("faxd_port_state",
                               {{"port", "Simulated port 1"}, {"state", "available"}})),
              1);
    EXPECT_EQ(before.at(kOutDone), 0);

    auto admin = faxd.client();
    test::submit_short_fax(*admin);
    MetricSamples after;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        after = scrape();
        return after.at(kOutDone) >= 1 && after.at(kInDone) >= 1;
    })) << "the fax did not show in the counters";

    EXPECT_EQ(moved(before, after, "faxd_calls_total"),
              (std::map<std::string, double>{{kOutDone, 1}, {kInDone, 1}}));
    EXPECT_EQ(moved(before, after, "faxd_pages_total"),
              (std::map<std::string, double>{{kPagesOut, 1}, {kPagesIn, 1}}));
    EXPECT_TRUE(moved(before, after, "faxd_call_failures_total").empty());
    // Each port is in exactly one state.
    for (const char* p : {"Simulated port 1", "Simulated port 2"}) {
        double states = 0;
        for (const auto& [key, value] : after)
            if (key.rfind("faxd_port_state{port=\"" + std::string(p) + "\"", 0) == 0)
                states += value;
        EXPECT_EQ(states, 1) << p;
    }
}

TEST_F(MetricsFaxd, AFailedCallCountsUnderItsFailureClassAndTheQueueEmpties) {
    const MetricSamples before = scrape();
    auto admin = faxd.client();
    // Nobody on the exchange answers this number.
    test::json submit = {
        {"number", "5559999"},
        {"document", test::document_base64(test::fixture("documents/short-std-mmr.tif"))}};
    admin->call("job.submit", submit);
    MetricSamples after;
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        after = scrape();
        return after.at(kOutFailed) >= 1;
    }));
    EXPECT_EQ(moved(before, after, "faxd_calls_total"),
              (std::map<std::string, double>{{kOutFailed, 1}}));
    EXPECT_EQ(
        moved(before, after, "faxd_call_failures_total"),
        (std::map<std::string, double>{
            {series("faxd_call_failures_total", {{"direction", "out"}, {"class", "no_answer"}}),
             1}}));
    EXPECT_TRUE(moved(before, after, "faxd_pages_total").empty());
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        return scrape().at(series("faxd_queue_jobs", {{"state", "retrying"}})) == 0 &&
               scrape().at(series("faxd_queue_jobs", {{"state", "queued"}})) == 0;
    }));
}

TEST_F(MetricsFaxd, QueueLengthCountsJobsByState) {
    auto admin = faxd.client();
    admin->call("server.set", {{"pause_server_queue", true}});
    test::submit_short_fax(*admin);
    test::submit_short_fax(*admin);
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        return scrape().at(series("faxd_queue_jobs", {{"state", "queued"}})) == 2;
    }));
}

TEST_F(MetricsFaxd, HealthIsOkThen503WhileTheStoreCannotBeWritten) {
    test::HttpAnswer ok = http_get(port(), "/health");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, "ok\n");

    // Another process's writer holds the database's write lock: faxd cannot write now.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((faxd.config.spool / "faxd.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    const test::HttpAnswer locked = http_get(port(), "/health");
    EXPECT_EQ(locked.status, 503);
    EXPECT_NE(locked.body.find("the store cannot be written: database is locked"),
              std::string::npos)
        << locked.body;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);

    EXPECT_EQ(http_get(port(), "/health").status, 200);
}

TEST_F(MetricsFaxd, OtherPathsAre404AndOtherMethods405) {
    EXPECT_EQ(http_get(port(), "/nothing").status, 404);
    EXPECT_EQ(http_get(port(), "/metrics?x=1").status, 200);  // a query does not change the path
    const test::HttpAnswer post = test::http_request(port(), "POST", "/metrics");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.headers.at("allow"), "GET");
    EXPECT_EQ(test::http_request(port(), "DELETE", "/health").status, 405);
}

TEST(MetricsOff, NoListenerWithoutMetricsListen) {
    test::FaxdHarness faxd;
    EXPECT_EQ(faxd.daemon->metrics_port(), 0);
}

// The strict reader itself refuses what Prometheus would.
TEST(PrometheusTextCheck, RefusesMalformedExpositions) {
    const auto bad = [](const std::string& text) {
        try {
            test::parse_prometheus_text(text);
        } catch (const std::runtime_error&) {
            return true;
        }
        return false;
    };
    EXPECT_FALSE(bad("# HELP a_total x\n# TYPE a_total counter\na_total{l=\"q\\\"\"} 1\n"));
    EXPECT_TRUE(bad("a 1\n"));                                            // no TYPE
    EXPECT_TRUE(bad("# TYPE a gauge\na 1"));                              // no final newline
    EXPECT_TRUE(bad("# TYPE a gauge\na{l=\"x\"} 1\na{l=\"x\"} 2\n"));     // series twice
    EXPECT_TRUE(bad("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n"));  // family split
    EXPECT_TRUE(bad("# TYPE a gauge\na{l=\"x\\q\"} 1\n"));                // bad escape
    EXPECT_TRUE(bad("# TYPE a gauge\na one\n"));                          // bad value
    EXPECT_TRUE(bad("# TYPE a gauge\na{1l=\"x\"} 1\n"));                  // bad label name
}

}  // namespace
}  // namespace faxemu
