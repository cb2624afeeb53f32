// The port's controller dials what its dial rules make of the job's number,
// and records both: the number as given (what clients see) and the dial string.
#include <gtest/gtest.h>

#include "core/caller_rights.hpp"
#include "core/port_controller.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

// A device that only remembers what it was asked to dial.
class DialRecorder final : public Device {
  public:
    std::string kind() const override { return "recorder"; }
    void set_listener(DeviceListener*) override {}
    void dial(const OutboundCall& call) override { dialled.push_back(call.number); }
    void answer(const InboundCall&) override {}
    void hangup() override {}
    bool idle() const override { return true; }
    std::vector<std::string> dialled;
};

class StartedCalls final : public CallObserver {
  public:
    void call_started(const CallRecord& rec) override { started.push_back(rec); }
    void call_ended(const CallRecord&) override {}
    std::vector<CallRecord> started;
};

struct Rig {
    Rig() { port.put_Send(CallerRights::admin(), true); }
    test::TempDir dir;
    VirtualClock clock;
    Port port{1, "modem1", "5551001"};
    DialRecorder device;
    StartedCalls calls;
    PortController controller{port, device, clock, dir.path(), calls};
};

TEST(PortControllerDial, WithoutRulesTheNumberIsDialledAsGiven) {
    Rig rig;
    SendRequest req;
    req.number = "5551002";
    rig.controller.send(req, false);
    EXPECT_EQ(rig.device.dialled, std::vector<std::string>{"5551002"});
    ASSERT_EQ(rig.calls.started.size(), 1u);
    EXPECT_EQ(rig.calls.started[0].dialled, "5551002");
}

TEST(PortControllerDial, TheDialRulesMakeTheDialString) {
    Rig rig;
    DialRules& rules = rig.controller.dial_rules();
    rules.country_code = "44";
    rules.area_code = "20";
    rules.long_distance_prefix = "0";
    rules.international_prefix = "00";
    rules.outside_line_prefix = "9,";
    SendRequest req;
    req.number = "+44 (20) 7946-0000";
    rig.controller.send(req, false);
    EXPECT_EQ(rig.device.dialled, std::vector<std::string>{"9,79460000"});
    ASSERT_EQ(rig.calls.started.size(), 1u);
    EXPECT_EQ(rig.calls.started[0].number, "+44 (20) 7946-0000");  // as the job gives it
    EXPECT_EQ(rig.calls.started[0].dialled, "9,79460000");
    EXPECT_EQ(rig.port.GetStatus(rig.clock).address, "+44 (20) 7946-0000");
}

}  // namespace
}  // namespace faxemu
