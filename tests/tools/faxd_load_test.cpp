// server.load (PROTOCOL.md "Server, ports, routing"): the line thread's ticks
// at real time, those late, its CPU, readable by a viewer; the same figures on
// /metrics; nothing counted when the line is not paced.
#include <gtest/gtest.h>

#include "tests/tools/faxd_harness.hpp"
#include "tests/tools/http_get.hpp"
#include "tests/tools/prometheus_text_check.hpp"

namespace faxemu {
namespace {

using test::json;

TEST(FaxdLoad, CountsTheTicksOfACallAtRealTimeForAViewer) {
    test::FaxdHarness faxd{[](faxd::Config& c) {
        c.line_speed = 1;
        c.metrics_listen = "127.0.0.1:0";
    }};
    auto viewer = faxd.client("viewer");
    const json idle = viewer->call("server.load");
    EXPECT_EQ(idle["line_speed"], 1.0);
    ASSERT_EQ(idle["line_threads"].size(), 1u) << idle.dump(2);
    EXPECT_EQ(idle["line_threads"][0]["thread"], 0);
    EXPECT_EQ(idle["line_threads"][0]["ticks"], 0);

    auto admin = faxd.client("admin");
    test::submit_short_fax(*admin);
    json load;
    // 50 blocks: one second of the call at real time.
    ASSERT_TRUE(test::wait_for(*viewer, [&] {
        load = viewer->call("server.load")["line_threads"][0];
        return load["ticks"].get<std::int64_t>() >= 50;
    })) << load.dump(2);
    const auto ticks = load["ticks"].get<std::int64_t>();
    const auto late5 = load["late_5ms"].get<std::int64_t>();
    const auto late20 = load["late_20ms"].get<std::int64_t>();
    EXPECT_LE(late5, ticks);
    EXPECT_LE(late20, late5);
    EXPECT_GE(load["worst_ms"].get<double>(), 0.0);
    EXPECT_EQ(load["worst_ms"].get<double>() > 5.0, late5 > 0) << load.dump(2);
    EXPECT_GT(load["cpu_seconds"].get<double>(), 0.0);

    const test::HttpAnswer a = test::http_get(faxd.daemon->metrics_port(), "/metrics");
    ASSERT_EQ(a.status, 200);
    const test::MetricSamples m = test::parse_prometheus_text(a.body);
    ASSERT_TRUE(m.count("faxd_line_ticks_total{thread=\"0\",}")) << a.body;
    // Scraped after server.load answered: the count only grew.
    EXPECT_GE(m.at("faxd_line_ticks_total{thread=\"0\",}"), static_cast<double>(ticks));
    EXPECT_TRUE(m.count("faxd_line_ticks_late_total{over=\"20ms\",thread=\"0\",}")) << a.body;
    EXPECT_GT(m.at("faxd_line_thread_cpu_seconds_total{thread=\"0\",}"), 0.0);
}

TEST(FaxdLoad, AnUnpacedLineHasNoTicks) {
    test::FaxdHarness faxd{[](faxd::Config& c) { c.line_speed = 0; }};
    auto admin = faxd.client("admin");
    const json job = test::submit_short_fax(*admin);
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        return admin->call("job.get", {{"job_id", job["job_id"]}})["state"] == "completed";
    }));
    const json load = admin->call("server.load");
    EXPECT_EQ(load["line_speed"], 0.0);
    EXPECT_EQ(load["line_threads"][0]["ticks"], 0);
    EXPECT_GT(load["line_threads"][0]["cpu_seconds"].get<double>(), 0.0);
}

}  // namespace
}  // namespace faxemu
