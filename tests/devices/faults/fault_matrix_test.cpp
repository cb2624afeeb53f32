// The fault matrix: every fault a line or a modem can have, on every kind of
// device behind a port (simulated, Class 1, Class 2, Class 2.0), sending one job
// through the port's controller and the scheduler as faxd does. Each row says
// what the port shows when the call ends, what becomes of the job, a fragment
// of the cause and whether the scheduler retries; a fault that cannot happen on
// a kind of device says why instead.
//
// Line faults (no answer, busy, a drop, noise, the far end hanging up) are made
// on the virtual exchange, so each device kind meets the very same fault; modem
// faults (silent, garbage) in the virtual modem.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/port_bank.hpp"
#include "core/retry_policy.hpp"
#include "core/scheduler.hpp"
#include "core/sqlite_store.hpp"
#include "devices/simulated_device.hpp"
#include "devices/virtual_exchange.hpp"
#include "tests/devices/class1/class1_rig.hpp"
#include "tests/devices/class2/class2_rig.hpp"
#include "tests/support/fax_document.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::kFarNumber;
using test::kModemNumber;

enum class Kind { Simulated, Class1, Class2, Class20 };

enum class Fault {
    NoAnswer,             // the far end rings and nobody picks up
    Busy,                 // the far end is in another call
    DropAfterPage1,       // the line drops during page 2
    Noise,                // a line too poor to train on at any speed
    SilentModem,          // the modem answers nothing from the start
    SilentAfterConnect,   // the modem stops answering as the call connects
    Garbage,              // the modem answers garbage from the start
    RemoteHangupMidPage,  // the far machine hangs up during page 2
};

const char* name(Kind k) {
    switch (k) {
        case Kind::Simulated:
            return "Simulated";
        case Kind::Class1:
            return "Class1";
        case Kind::Class2:
            return "Class2";
        case Kind::Class20:
            return "Class20";
    }
    return "?";
}

const char* name(Fault f) {
    switch (f) {
        case Fault::NoAnswer:
            return "NoAnswer";
        case Fault::Busy:
            return "Busy";
        case Fault::DropAfterPage1:
            return "DropAfterPage1";
        case Fault::Noise:
            return "Noise";
        case Fault::SilentModem:
            return "SilentModem";
        case Fault::SilentAfterConnect:
            return "SilentAfterConnect";
        case Fault::Garbage:
            return "Garbage";
        case Fault::RemoteHangupMidPage:
            return "RemoteHangupMidPage";
    }
    return "?";
}

// One row: what the port, the job and the scheduler end with.
struct Row {
    Kind kind;
    Fault fault;
    // Why the fault cannot happen on this kind of device; empty when it can.
    const char* not_applicable = "";
    Fps port = Fps::Available;  // the port's status once the call ended
    JobState job = JobState::Queued;
    const char* cause = "";  // in the job's last error (or the port's reason)
    bool retryable = false;  // what the call's outcome says (or: the job waits)
    int pages = 0;           // pages the job has delivered
};

void PrintTo(const Row& r, std::ostream* os) {
    *os << name(r.kind) << " " << name(r.fault);
}

// A device under test on the exchange of a virtual-time rig, and a simulated
// fax machine at kFarNumber as the far end.
class Bench {
  public:
    virtual ~Bench() = default;
    virtual test::VirtualTimeRig& rig() = 0;
    virtual Device& device() = 0;
    virtual SimulatedDevice& far() = 0;
    virtual test::DeviceRecorder& far_host() = 0;
    // The driver's protocol trace, for failure messages (when it keeps one).
    virtual std::string trace() const { return {}; }

    VirtualClock& clock() { return rig().clock; }
    VirtualExchange& exchange() { return rig().exchange; }
};

class SimulatedBench final : public Bench {
  public:
    test::VirtualTimeRig& rig() override { return rig_; }
    Device& device() override { return device_; }
    SimulatedDevice& far() override { return far_.device; }
    test::DeviceRecorder& far_host() override { return far_.listener; }

  private:
    test::VirtualTimeRig rig_;
    SimulatedDevice device_{rig_.exchange, kModemNumber};
    test::SimulatedEnd far_{rig_.exchange, kFarNumber};
};

class Class1Bench final : public Bench {
  public:
    explicit Class1Bench(Class1Options options)
        : modem_(rig_.add_modem(kModemNumber, std::move(options))) {}
    test::VirtualTimeRig& rig() override { return rig_; }
    Device& device() override { return *modem_.device; }
    SimulatedDevice& far() override { return far_.device; }
    test::DeviceRecorder& far_host() override { return far_.listener; }

  private:
    test::Class1Rig rig_;
    test::Class1Rig::Modem& modem_;
    test::SimulatedEnd far_{rig_.exchange, kFarNumber};
};

class Class2Bench final : public Bench {
  public:
    Class2Bench(Class2Options options, Class2DeviceConfig config)
        : rig_(std::move(options), std::move(config)) {}
    test::VirtualTimeRig& rig() override { return rig_; }
    Device& device() override { return *rig_.device; }
    SimulatedDevice& far() override { return rig_.far; }
    test::DeviceRecorder& far_host() override { return rig_.far_host; }
    std::string trace() const override { return rig_.trace_text(); }

  private:
    test::Class2Rig rig_;
};

// What the virtual modem does wrong for a modem fault.
Class1Faults modem_faults(Fault f) {
    Class1Faults faults;
    if (f == Fault::SilentModem) faults.silent_after_commands = 0;
    if (f == Fault::SilentAfterConnect) faults.silent_after_connect = true;
    if (f == Fault::Garbage) faults.garbage_after_commands = 0;
    return faults;
}

std::unique_ptr<Bench> make_bench(Kind kind, Fault fault) {
    switch (kind) {
        case Kind::Simulated:
            return std::make_unique<SimulatedBench>();
        case Kind::Class1: {
            Class1Options o;
            o.faults = modem_faults(fault);
            return std::make_unique<Class1Bench>(std::move(o));
        }
        case Kind::Class2:
        case Kind::Class20: {
            Class2Options o;
            o.classes = kind == Kind::Class2 ? Class2Set::Class2 : Class2Set::Class20;
            o.faults = modem_faults(fault);
            Class2DeviceConfig c;
            c.variant = kind == Kind::Class2 ? Class2Variant::Class2 : Class2Variant::Class20;
            return std::make_unique<Class2Bench>(std::move(o), std::move(c));
        }
    }
    return nullptr;
}

// The port, the port bank and the scheduler around the device, wired as faxd
// wires them: a dispatched job is sent on the port, and the call's end is the
// attempt's end.
class FaultMatrix : public ::testing::TestWithParam<Row> {
  protected:
    void SetUp() override {
        const Row& row = GetParam();
        if (*row.not_applicable) GTEST_SKIP() << "does not apply: " << row.not_applicable;
        bench_ = make_bench(row.kind, row.fault);
        port_ = &server_.add_port("port under test", kModemNumber);
        bank_ = std::make_unique<PortBank>(server_, bench_->clock(), tmp_.path());
        bank_->attach(*port_, bench_->device());
        bank_->on_call_ended([this](const CallRecord& rec) {
            if (!rec.outbound) return;
            ended_ = rec;
            port_at_end_ = port_->GetStatus(bench_->clock());
            scheduler_->attempt_ended(job_id_, rec.outcome);
        });
        bench_->exchange().on_tick([this] { bank_->poll(); });
        store_ = std::make_unique<SqliteStore>(tmp_.path() / "queue.db");
        scheduler_ = std::make_unique<Scheduler>(server_, *store_, bench_->clock());
        scheduler_->set_jitter([] { return 0.0; });
        far_rx_ = tmp_.path() / "far.tif";
        bench_->far_host().answer_with(InboundCall{far_rx_, test::session("FAR CSID")});
        document_ = test::fax_document("letter-fine-mmr.tif", tmp_.path());
    }

    void TearDown() override {
        if (!bench_) return;
        // The device outlives the port bank: it must not call a controller that is gone.
        bench_->device().set_listener(&orphan_);
        scheduler_.reset();
        store_.reset();
        bank_.reset();
        bench_.reset();
    }

    // Queues the job and sends it as soon as the port is free, as faxd's loop does.
    void submit() {
        Job j;
        j.user_name = "alice";
        j.fax_number = kFarNumber;
        j.document = document_.string();
        j.display_name = "letter";
        j.page_count = 3;
        job_id_ = scheduler_->submit(j).id;
    }

    void dispatch() {
        if (dispatched_) return;
        auto d = scheduler_->next([this](std::int32_t id) { return bank_->can_send(id); });
        if (!d) return;
        dispatched_ = true;
        scheduler_->attempt_started(d->job.id, d->device_id);
        SendRequest r;
        r.number = d->job.fax_number;
        r.document = d->job.document;
        r.document_name = d->job.display_name;
        r.page_count = d->job.page_count;
        r.first_page = d->first_page;
        bank_->send_on(d->device_id, r);
    }

    // Steps the rig until `done`, sending the job whenever the port is free.
    bool run_until(const std::function<bool()>& done, Duration limit) {
        return bench_->rig().run_until(
            [&] {
                dispatch();
                return done();
            },
            limit);
    }

    Job job() const { return *scheduler_->job(job_id_); }

    test::TempDir tmp_;
    FaxServer server_;
    std::unique_ptr<Bench> bench_;
    Port* port_ = nullptr;
    std::unique_ptr<PortBank> bank_;
    std::unique_ptr<SqliteStore> store_;
    std::unique_ptr<Scheduler> scheduler_;
    test::DeviceRecorder orphan_;
    std::filesystem::path far_rx_;
    std::filesystem::path document_;
    std::int64_t job_id_ = 0;
    bool dispatched_ = false;
    std::optional<CallRecord> ended_;
    PortStatus port_at_end_;
};

TEST_P(FaultMatrix, EndsInTheRightStatusCauseAndRetry) {
    const Row& row = GetParam();
    VirtualExchange& exchange = bench_->exchange();
    test::DeviceRecorder& far_host = bench_->far_host();

    // The fault, set up before the job is queued or timed from the far end's pages.
    std::function<void()> during_call;
    switch (row.fault) {
        case Fault::NoAnswer:
            far_host.answer_on_ring = 0;
            break;
        case Fault::Busy: {
            // The far end is ringing a number nobody has when our call comes.
            OutboundCall elsewhere;
            elsewhere.number = "5559999";
            elsewhere.document = document_;
            bench_->far().dial(elsewhere);
            break;
        }
        case Fault::DropAfterPage1:
        case Fault::RemoteHangupMidPage: {
            // Page 2 starts within a second of page 1's confirmation and lasts
            // longer than 3 s: the fault comes 3 s after the far end has page 1.
            std::optional<TimePoint> page1;
            during_call = [this, &far_host, &exchange, page1, fault = row.fault]() mutable {
                if (!page1 && far_host.pages_done() >= 1) page1 = bench_->clock().now();
                if (!page1 || bench_->clock().now() < *page1 + 3s) return;
                if (fault == Fault::DropAfterPage1)
                    exchange.drop_call(kFarNumber, Duration::zero());
                else
                    bench_->far().hangup();
                page1 = TimePoint::max() - 1h;  // once
            };
            break;
        }
        case Fault::Noise:
            exchange.set_impairment(kFarNumber, LineImpairment{30.0f, -30.0f});
            break;
        case Fault::SilentModem:
        case Fault::SilentAfterConnect:
        case Fault::Garbage:
            break;  // in the modem
    }
    if (during_call) exchange.on_tick(during_call);

    submit();
    const bool modem_broken = row.fault == Fault::SilentModem || row.fault == Fault::Garbage;
    if (modem_broken) {
        // The modem fails its probe: the port shows why, and the job waits.
        // ("opening DEVICE" is what an unavailable modem port says before its first probe.)
        ASSERT_TRUE(run_until(
            [&] {
                const PortStatus s = port_->GetStatus(bench_->clock());
                return s.device_status == Fps::Unavailable && s.description.rfind("opening ", 0);
            },
            2min));
        run_until([] { return false; }, 10s);
        const PortStatus s = port_->GetStatus(bench_->clock());
        EXPECT_EQ(s.device_status, row.port) << s.description;
        EXPECT_NE(s.description.find(row.cause), std::string::npos) << s.description;
        EXPECT_FALSE(dispatched_) << "a job was sent on a port whose modem does not work";
        EXPECT_EQ(job().state, row.job);
        EXPECT_EQ(job().attempts, 0);
        return;
    }

    ASSERT_TRUE(run_until(
        [&] { return ended_ && (bench_->device().idle() || !bench_->device().health().available); },
        15min))
        << "the call did not end\n"
        << bench_->trace();
    const Job j = job();
    EXPECT_EQ(port_at_end_.device_status, row.port)
        << to_string(port_at_end_.device_status) << ": " << port_at_end_.description << "\n"
        << bench_->trace();
    EXPECT_EQ(j.state, row.job) << to_string(j.state) << ": " << j.last_error;
    EXPECT_NE(j.last_error.find(row.cause), std::string::npos) << j.last_error;
    EXPECT_EQ(ended_->outcome.retryable(), row.retryable)
        << to_string(ended_->outcome.failure) << ": " << ended_->outcome.cause_text;
    EXPECT_EQ(j.pages_sent, row.pages) << ended_->outcome.cause_text;
    EXPECT_EQ(j.attempts, 1);
    // A fault of the line leaves the modem working: the port is free again once
    // the outcome has been shown; a modem that went silent leaves it unavailable.
    const Fps after = row.fault == Fault::SilentAfterConnect ? Fps::Unavailable : Fps::Available;
    run_until([&] { return port_->GetStatus(bench_->clock()).device_status == after; },
              bank_->status_linger + 1min);
    EXPECT_EQ(port_->GetStatus(bench_->clock()).device_status, after)
        << port_->GetStatus(bench_->clock()).description << "\n"
        << bench_->trace();
    if (row.job == JobState::Retrying) {
        // RetryDelay 10 min, or the class's own delay (busy: 3 min), less the
        // minute the status took to settle.
        EXPECT_GE(j.next_attempt,
                  bench_->clock().now() + RetryPolicy{}.delay(j.last_failure, 10) - 1min);
    }
}

constexpr const char* kNoModem = "a simulated port has no modem to go silent or answer garbage";

// Where kinds differ, it is in what the device can know:
// - a Class 2/2.0 modem reports a call lost mid-page only as a phase C error
//   (+FHNG:40 / +FHS:40), so the port shows Fatal Error where Class 1 and a
//   simulated port, which run T.30 themselves, see the call drop;
// - a Class 1 modem hears nothing on a line that carries only noise and its ATD
//   ends NO CARRIER: the port shows No Answer (no carrier), where T.30 on a
//   simulated port or in a Class 2 modem times out T1 (Not a Fax Call).
// The noise row is noise that drowns every signal, so T1 ends the call; noise
// that keeps a carrier "detected" and never ends a call is the call watchdog's
// to end (its own test).
// clang-format off
const Row kRows[] = {
    // kind, fault, not applicable, port status at the call's end, job, cause, retryable, pages
    {Kind::Simulated, Fault::NoAnswer, "", Fps::NoAnswer, JobState::Retrying, "no answer", true, 0},
    {Kind::Class1, Fault::NoAnswer, "", Fps::NoAnswer, JobState::Retrying, "no answer", true, 0},
    {Kind::Class2, Fault::NoAnswer, "", Fps::NoAnswer, JobState::Retrying, "no answer", true, 0},
    {Kind::Class20, Fault::NoAnswer, "", Fps::NoAnswer, JobState::Retrying, "no answer", true, 0},

    {Kind::Simulated, Fault::Busy, "", Fps::Busy, JobState::Retrying, "busy", true, 0},
    {Kind::Class1, Fault::Busy, "", Fps::Busy, JobState::Retrying, "busy", true, 0},
    {Kind::Class2, Fault::Busy, "", Fps::Busy, JobState::Retrying, "busy", true, 0},
    {Kind::Class20, Fault::Busy, "", Fps::Busy, JobState::Retrying, "busy", true, 0},

    {Kind::Simulated, Fault::DropAfterPage1, "", Fps::Disconnected, JobState::Retrying, "The call dropped prematurely (the line dropped)", true, 1},
    {Kind::Class1, Fault::DropAfterPage1, "", Fps::Disconnected, JobState::Retrying, "The call dropped prematurely", true, 1},
    {Kind::Class2, Fault::DropAfterPage1, "", Fps::FatalError, JobState::Retrying, "Unspecified transmit phase C error (+FHNG:40)", true, 1},
    {Kind::Class20, Fault::DropAfterPage1, "", Fps::FatalError, JobState::Retrying, "Unspecified transmit phase C error (+FHS:40)", true, 1},

    {Kind::Simulated, Fault::Noise, "", Fps::NotFaxCall, JobState::Retrying, "Timed out waiting for initial communication", true, 0},
    {Kind::Class1, Fault::Noise, "", Fps::NoAnswer, JobState::Retrying, "no carrier: no fax machine answered", true, 0},
    {Kind::Class2, Fault::Noise, "", Fps::NotFaxCall, JobState::Retrying, "T.30 T1 timeout) (+FHNG:11)", true, 0},
    {Kind::Class20, Fault::Noise, "", Fps::NotFaxCall, JobState::Retrying, "T.30 T1 timeout) (+FHS:11)", true, 0},

    // The port says why; the job waits for a port (retryable: not asked, nothing was tried).
    {Kind::Simulated, Fault::SilentModem, kNoModem},
    {Kind::Class1, Fault::SilentModem, "", Fps::Unavailable, JobState::Queued, "no modem answers on /dev/", false, 0},
    {Kind::Class2, Fault::SilentModem, "", Fps::Unavailable, JobState::Queued, "no modem answers on /dev/", false, 0},
    {Kind::Class20, Fault::SilentModem, "", Fps::Unavailable, JobState::Queued, "no modem answers on /dev/", false, 0},

    {Kind::Simulated, Fault::SilentAfterConnect, kNoModem},
    {Kind::Class1, Fault::SilentAfterConnect, "", Fps::Unavailable, JobState::Retrying, "no answer from /dev/", true, 0},
    {Kind::Class2, Fault::SilentAfterConnect, "", Fps::Unavailable, JobState::Retrying, "no answer from the modem to ATD", true, 0},
    {Kind::Class20, Fault::SilentAfterConnect, "", Fps::Unavailable, JobState::Retrying, "no answer from the modem to ATD", true, 0},

    {Kind::Simulated, Fault::Garbage, kNoModem},
    {Kind::Class1, Fault::Garbage, "", Fps::Unavailable, JobState::Queued, "only unreadable answers", false, 0},
    {Kind::Class2, Fault::Garbage, "", Fps::Unavailable, JobState::Queued, "garbage from /dev/", false, 0},
    {Kind::Class20, Fault::Garbage, "", Fps::Unavailable, JobState::Queued, "garbage from /dev/", false, 0},

    {Kind::Simulated, Fault::RemoteHangupMidPage, "", Fps::Disconnected, JobState::Retrying, "The call dropped prematurely", true, 1},
    {Kind::Class1, Fault::RemoteHangupMidPage, "", Fps::Disconnected, JobState::Retrying, "The call dropped prematurely", true, 1},
    {Kind::Class2, Fault::RemoteHangupMidPage, "", Fps::FatalError, JobState::Retrying, "Unspecified transmit phase C error (+FHNG:40)", true, 1},
    {Kind::Class20, Fault::RemoteHangupMidPage, "", Fps::FatalError, JobState::Retrying, "Unspecified transmit phase C error (+FHS:40)", true, 1},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Devices, FaultMatrix, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& i) {
                             return std::string(name(i.param.kind)) + "_" + name(i.param.fault);
                         });

}  // namespace
}  // namespace faxemu
