// A Class 1 port in a PortBank: its FaxStatus changes during a call the
// same way a simulated port's does (tests/devices/simulated_line_test.cpp).
#include <gtest/gtest.h>

#include "class1_rig.hpp"
#include "core/caller_rights.hpp"
#include "core/image_compare.hpp"
#include "core/one_shot_queue.hpp"
#include "core/port_bank.hpp"
#include "tests/devices/test_support.hpp"

namespace faxemu {
namespace {

using test::Class1Rig;
using test::TempDir;

TEST(Class1Status, StatusFollowsTheCallOnBothClass1Ports) {
    TempDir tmp;
    Class1Rig rig;
    auto& a = rig.add_modem("5551001");
    auto& b = rig.add_modem("5551002");
    ASSERT_TRUE(rig.bring_up());
    ASSERT_TRUE(a.device->idle()) << a.device->unavailable_reason();
    ASSERT_TRUE(b.device->idle()) << b.device->unavailable_reason();

    FaxServer server;
    PortBank bank(server, rig.clock, tmp.path());
    const CallerRights admin = CallerRights::admin();
    Port& p0 = server.add_port("Class 1 port 1", "5551001");
    Port& p1 = server.add_port("Class 1 port 2", "5551002");
    for (Port* p : {&p0, &p1}) {
        const std::string id = "+1 555 " + p->Name().substr(p->Name().size() - 1) + "00";
        p->put_Tsid(admin, id);
        p->put_Csid(admin, id);
        p->put_Rings(admin, 2);
    }
    p0.put_Send(admin, true);
    p0.put_Receive(admin, false);
    p1.put_Send(admin, false);
    p1.put_Receive(admin, true);
    bank.attach(p0, *a.device);
    bank.attach(p1, *b.device);
    std::vector<CallRecord> calls;
    bank.on_call_ended([&](const CallRecord& r) { calls.push_back(r); });

    SendRequest req =
        test::prepare_send(test::fixture("documents/letter-fine-mmr.tif"), tmp.path(), "5551002");
    ASSERT_EQ(req.page_count, 3);
    OneShotQueue queue(server, bank, rig.clock, tmp.path() / "queue.db");
    EXPECT_EQ(queue.send(req), p0.DeviceId());

    std::vector<std::string> sender, receiver;
    auto record = [](std::vector<std::string>& v, const PortStatus& s) {
        std::string line = std::string(to_string(s.device_status)) + " " +
                           std::to_string(s.current_page) + "/" + std::to_string(s.page_count);
        if (v.empty() || v.back() != line) v.push_back(line);
    };
    PortStatus during{};
    rig.after_step.push_back([&] {
        bank.poll();
        PortStatus s = p0.GetStatus(rig.clock);
        record(sender, s);
        record(receiver, p1.GetStatus(rig.clock));
        if (s.device_status == Fps::Sending && s.current_page == 2) during = s;
    });
    ASSERT_TRUE(rig.run_until([&] { return calls.size() == 2; }, std::chrono::minutes(15)));
    rig.run_until([] { return false; }, bank.status_linger + std::chrono::seconds(1));

    const std::vector<std::string> expected_sender = {"Dialing 0/3",   "Sending 1/3",
                                                      "Sending 2/3",   "Sending 3/3",
                                                      "Completed 3/3", "Available 0/0"};
    EXPECT_EQ(sender, expected_sender);
    const std::vector<std::string> expected_receiver = {
        "Available 0/0", "Ringing 0/0",   "Answered 0/0",  "Receiving 1/0",
        "Receiving 2/0", "Receiving 3/0", "Completed 3/3", "Available 0/0"};
    EXPECT_EQ(receiver, expected_receiver);
    EXPECT_TRUE(during.send);
    EXPECT_EQ(during.address, "5551002");
    EXPECT_EQ(during.csid, p1.Csid());
    EXPECT_EQ(during.tsid, p0.Tsid());
    EXPECT_EQ(during.bit_rate, 14400);
    EXPECT_NE(during.description.find("Sending page 2 of 3 at 14400 bit/s"), std::string::npos)
        << during.description;
    for (const CallRecord& c : calls) EXPECT_TRUE(c.outcome.ok()) << c.outcome.cause_text;
    const CallRecord* in = calls[0].outbound ? &calls[1] : &calls[0];
    ImageComparison cmp = compare_fax_images(req.document, in->file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

}  // namespace
}  // namespace faxemu
