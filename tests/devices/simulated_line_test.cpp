// What the line does to a call: busy, no answer, a line that drops mid-page,
// rings counted on the clock, and the port status seen changing during a call.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <set>

#include "core/image_compare.hpp"
#include "test_support.hpp"

namespace faxemu {
namespace {

using test::find_call;
using test::fixture;
using test::prepare_send;
using test::TempDir;

TEST(SimulatedLine, BusyWhenTheCalledPortIsInACall) {
    TempDir tmp;
    SimulatedSite site(tmp.path(), 3);
    const CallerRights admin = CallerRights::admin();
    site.port(1).put_Send(admin, false);
    SendRequest first = prepare_send(fixture("documents/letter-fine-mmr.tif"), tmp.path(),
                                     SimulatedSite::number(1));
    EXPECT_EQ(site.queue.send(first), site.port(0).DeviceId());
    // Once port 2 is receiving, port 3 calls it too.
    ASSERT_TRUE(site.exchange.run_until(
        [&] { return site.port(1).GetStatus(site.clock).device_status == Fps::Receiving; },
        std::chrono::minutes(2)));
    SendRequest second = first;
    EXPECT_EQ(site.queue.send(second), site.port(2).DeviceId());
    ASSERT_TRUE(site.run_until_idle());

    ASSERT_EQ(site.calls().size(), 3u);
    const CallRecord& busy = site.calls().front();  // the busy call ends first
    EXPECT_EQ(busy.device_id, site.port(2).DeviceId());
    EXPECT_EQ(busy.outcome.status, Fps::Busy);
    EXPECT_EQ(busy.outcome.failure, FailureClass::Busy);
    EXPECT_TRUE(busy.outcome.retryable());
    EXPECT_EQ(busy.outcome.t30_cause, -1);
    // The call in progress was not disturbed.
    for (std::size_t i = 1; i < 3; ++i) EXPECT_TRUE(site.calls()[i].outcome.ok());
}

TEST(SimulatedLine, NoAnswerWhenReceiveIsOff) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Receive(CallerRights::admin(), false);
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req =
        prepare_send(fixture("documents/short-std-mmr.tif"), tmp.path(), SimulatedSite::number(1));
    const TimePoint start = site.clock.now();
    site.queue.send(req);
    std::set<Fps> seen_on_called;
    site.exchange.on_tick(
        [&] { seen_on_called.insert(site.port(1).GetStatus(site.clock).device_status); });
    ASSERT_TRUE(site.run_until_idle());
    ASSERT_EQ(site.calls().size(), 1u);
    const CallRecord& out = site.calls().front();
    EXPECT_EQ(out.outcome.status, Fps::NoAnswer);
    EXPECT_EQ(out.outcome.failure, FailureClass::NoAnswer);
    EXPECT_TRUE(out.outcome.retryable());
    // It rang (and was not answered) until the caller's T0 gave up, 60 s after dialling.
    EXPECT_TRUE(seen_on_called.count(Fps::Ringing));
    EXPECT_FALSE(seen_on_called.count(Fps::Answered));
    EXPECT_GE(site.clock.now() - start, site.exchange.timing().no_answer_timeout);
    EXPECT_LT(site.clock.now() - start,
              site.exchange.timing().no_answer_timeout + std::chrono::seconds(1));
}

TEST(SimulatedLine, NoAnswerWhenNobodyHasTheNumber) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    SendRequest req = prepare_send(fixture("documents/short-std-mmr.tif"), tmp.path(), "5559999");
    site.queue.send(req);
    ASSERT_TRUE(site.run_until_idle());
    ASSERT_EQ(site.calls().size(), 1u);
    EXPECT_EQ(site.calls().front().outcome.status, Fps::NoAnswer);
}

TEST(SimulatedLine, AnswersAfterRingsOnTheClock) {
    for (int rings : {1, 2, 5}) {
        TempDir tmp;
        SimulatedSite site(tmp.path());
        site.port(1).put_Rings(CallerRights::admin(), rings);
        site.port(1).put_Send(CallerRights::admin(), false);
        SendRequest req = prepare_send(fixture("documents/short-std-mmr.tif"), tmp.path(),
                                       SimulatedSite::number(1));
        const TimePoint start = site.clock.now();
        site.queue.send(req);
        ASSERT_TRUE(site.exchange.run_until(
            [&] { return site.port(1).GetStatus(site.clock).device_status == Fps::Receiving; },
            std::chrono::minutes(2)));
        // Dialling takes 2 s, then a ring every 6 s; the port answers on ring N.
        const auto expected =
            site.exchange.timing().dial_delay + site.exchange.timing().ring_period * (rings - 1);
        EXPECT_GE(site.clock.now() - start, expected) << rings << " rings";
        EXPECT_LT(site.clock.now() - start, expected + std::chrono::seconds(1))
            << rings << " rings";
        ASSERT_TRUE(site.run_until_idle());
        for (const CallRecord& c : site.calls()) EXPECT_TRUE(c.outcome.ok());
    }
}

TEST(SimulatedLine, LineDropMidPageKeepsTheCompletePages) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req = prepare_send(fixture("documents/letter-fine-mmr.tif"), tmp.path(),
                                   SimulatedSite::number(1));
    site.queue.send(req);
    // When the sender starts page 2, the line drops 2 s into it (the page takes about 5 s).
    ASSERT_TRUE(site.exchange.run_until(
        [&] { return site.port(0).GetStatus(site.clock).current_page == 2; },
        std::chrono::minutes(5)));
    site.exchange.drop_call(SimulatedSite::number(0), std::chrono::seconds(2));
    ASSERT_TRUE(site.run_until_idle());

    const CallRecord* out = find_call(site, true);
    const CallRecord* in = find_call(site, false);
    ASSERT_NE(out, nullptr);
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(out->outcome.status, Fps::Disconnected);
    EXPECT_EQ(out->outcome.failure, FailureClass::LineDropped);
    EXPECT_EQ(out->outcome.t30_cause, T30_ERR_CALLDROPPED);
    EXPECT_TRUE(out->outcome.retryable());
    EXPECT_EQ(out->pages, 1);
    EXPECT_EQ(in->outcome.status, Fps::Disconnected);
    EXPECT_EQ(in->outcome.t30_cause, T30_ERR_CALLDROPPED);
    EXPECT_EQ(in->pages, 1);
    EXPECT_EQ(site.port(0).GetStatus(site.clock).device_status, Fps::Disconnected);
    // Page 1 arrived whole and is kept; the first page of the sent file is what it must equal.
    auto sent = read_bilevel_pages(req.document);
    auto got = read_bilevel_pages(in->file);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].width, sent[0].width);
    EXPECT_EQ(got[0].height, sent[0].height);
    EXPECT_TRUE(got[0].bits == sent[0].bits);
}

TEST(SimulatedLine, StatusFollowsTheCall) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req = prepare_send(fixture("documents/letter-fine-mmr.tif"), tmp.path(),
                                   SimulatedSite::number(1));
    ASSERT_EQ(req.page_count, 3);
    site.queue.send(req);

    std::vector<std::string> sender, receiver;
    auto record = [](std::vector<std::string>& v, const PortStatus& s) {
        std::string line = std::string(to_string(s.device_status)) + " " +
                           std::to_string(s.current_page) + "/" + std::to_string(s.page_count);
        if (v.empty() || v.back() != line) v.push_back(line);
    };
    PortStatus during{};
    site.exchange.on_tick([&] {
        PortStatus s = site.port(0).GetStatus(site.clock);
        record(sender, s);
        record(receiver, site.port(1).GetStatus(site.clock));
        if (s.device_status == Fps::Sending && s.current_page == 2) during = s;
    });
    ASSERT_TRUE(site.run_until_idle());
    // Let the outcome linger and the ports go back to Available.
    site.exchange.run_until([] { return false; },
                            site.bank.status_linger + std::chrono::seconds(1));

    const std::vector<std::string> expected_sender = {"Dialing 0/3",   "Sending 1/3",
                                                      "Sending 2/3",   "Sending 3/3",
                                                      "Completed 3/3", "Available 0/0"};
    EXPECT_EQ(sender, expected_sender);
    const std::vector<std::string> expected_receiver = {
        "Available 0/0", "Ringing 0/0",   "Answered 0/0",  "Receiving 1/0",
        "Receiving 2/0", "Receiving 3/0", "Completed 3/3", "Available 0/0"};
    EXPECT_EQ(receiver, expected_receiver);
    // Mid-call the snapshot carries the whole IFaxStatus picture.
    EXPECT_TRUE(during.send);
    EXPECT_FALSE(during.receive);
    EXPECT_EQ(during.address, SimulatedSite::number(1));
    EXPECT_EQ(during.csid, site.port(1).Csid());
    EXPECT_EQ(during.tsid, site.port(0).Tsid());
    EXPECT_EQ(during.document_name, "letter-fine-mmr.tif");
    EXPECT_EQ(during.document_size, req.document_size);
    EXPECT_EQ(during.bit_rate, 14400);
    EXPECT_GT(during.elapsed_time, Duration::zero());
    EXPECT_NE(during.description.find("Sending page 2 of 3 at 14400 bit/s"), std::string::npos)
        << during.description;
}

}  // namespace
}  // namespace faxemu

namespace faxemu {
namespace {

// The sender's carrier is lost for a second in the middle of page 1 (no RTC
// reaches us) and the call goes on: spandsp 0.0.6 ends the page at the next
// post-page command and calls it good. The reception must say the page may lack
// rows, not "completed".
TEST(SimulatedLine, CarrierLostMidPageIsNotACompletePage) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    for (int i = 0; i < 2; ++i)
        site.bank.controller(site.port(i).DeviceId()).session_options().ecm = false;
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req = prepare_send(fixture("documents/letter-fine-mmr.tif"), tmp.path(),
                                   SimulatedSite::number(1));
    site.queue.send(req);
    // Page 1 starts about 3 s after the DCS; the line goes silent 10 s after the
    // DCS for a second, mid-page, and is back for the sender's MPS.
    ASSERT_TRUE(site.exchange.run_until(
        [&] { return site.port(1).GetStatus(site.clock).bit_rate > 0; }, std::chrono::minutes(2)));
    site.exchange.silence_call(SimulatedSite::number(1), std::chrono::seconds(10),
                               std::chrono::seconds(1));
    ASSERT_TRUE(site.run_until_idle());

    const CallRecord* out = find_call(site, true);
    const CallRecord* in = find_call(site, false);
    ASSERT_NE(out, nullptr);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(out->outcome.ok()) << out->outcome.cause_text;  // T.30 itself went through
    EXPECT_EQ(in->pages, 3);
    EXPECT_FALSE(in->outcome.ok()) << "a page cut short was reported complete";
    EXPECT_EQ(in->outcome.status, Fps::Disconnected);
    EXPECT_NE(in->outcome.cause_text.find("page 1 ended without RTC: the carrier was lost "
                                          "mid-page; rows may be missing"),
              std::string::npos)
        << in->outcome.cause_text;
    ASSERT_EQ(in->damaged_pages.size(), 1u);
    const PortStatus status = site.port(1).GetStatus(site.clock);
    EXPECT_EQ(status.device_status, Fps::Disconnected);
    EXPECT_NE(status.description.find("page 1 ended without RTC"), std::string::npos)
        << status.description;
    // Page 1 lost rows; pages 2 and 3 came whole.
    auto sent = read_bilevel_pages(req.document);
    auto got = read_bilevel_pages(in->file);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_LT(got[0].height, sent[0].height);
    EXPECT_TRUE(got[1].bits == sent[1].bits);
    EXPECT_TRUE(got[2].bits == sent[2].bits);
}

TEST(SimulatedLine, PoorLineFallsBackToASlowerModem) {
    test::TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    site.exchange.set_impairment(SimulatedSite::number(1), LineImpairment{27.0f, -56.0f});
    SendRequest req = test::prepare_send(test::fixture("documents/short-fine-mmr.tif"), tmp.path(),
                                         SimulatedSite::number(1));
    std::vector<int> rates;
    site.exchange.on_tick([&] {
        int r = site.port(0).GetStatus(site.clock).bit_rate;
        if (r && (rates.empty() || rates.back() != r)) rates.push_back(r);
    });
    site.queue.send(req);
    ASSERT_TRUE(site.run_until_idle());
    ASSERT_GE(rates.size(), 2u);
    EXPECT_EQ(rates.front(), 14400);
    const CallRecord* in = test::find_call(site, false);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(in->outcome.ok()) << in->outcome.cause_text;
    EXPECT_LT(in->session.bit_rate, 14400);
    ImageComparison cmp = compare_fax_images(req.document, in->file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

}  // namespace
}  // namespace faxemu

namespace faxemu {
namespace {

// Paced, line time may not run ahead of wall time times the speed asked for.
// (A lower bound on wall time: what pacing promises, not how fast the CPU is.)
TEST(SimulatedLine, PacedCallKeepsLineTimeToWallTime) {
    test::TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    site.exchange.set_speed(200.0);
    SendRequest req = test::prepare_send(test::fixture("documents/short-std-mmr.tif"), tmp.path(),
                                         SimulatedSite::number(1));
    const TimePoint line_start = site.clock.now();
    const auto wall_start = std::chrono::steady_clock::now();
    site.queue.send(req);
    ASSERT_TRUE(site.run_until_idle());
    const auto line = site.clock.now() - line_start;
    const auto wall = std::chrono::steady_clock::now() - wall_start;
    EXPECT_GE(std::chrono::duration<double>(wall).count() * 200.0,
              std::chrono::duration<double>(line).count() - 0.1);
    const CallRecord* in = test::find_call(site, false);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(in->outcome.ok());
}

}  // namespace
}  // namespace faxemu
