#include "devices/class1/class1_device.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "devices/serial/at_channel.hpp"
#include "devices/serial/modem_probe.hpp"

namespace faxemu {

namespace {

constexpr Duration kShortTimeout = std::chrono::seconds(5);
// T.30 gave up waiting and the modem had heard nothing from the far end for this
// long: the line dropped (a Class 1 modem cannot tell a silent line from a hung-up one).
constexpr Duration kSilentLine = std::chrono::seconds(6);

bool is_timeout_cause(int cause) {
    switch (cause) {
        case T30_ERR_T0_EXPIRED:
        case T30_ERR_T1_EXPIRED:
        case T30_ERR_T3_EXPIRED:
        case T30_ERR_HDLC_CARRIER:
        case T30_ERR_TX_PHBDEAD:
        case T30_ERR_TX_PHDDEAD:
        case T30_ERR_TX_T5EXP:
        case T30_ERR_RX_T2EXPD:
        case T30_ERR_RX_T2EXPFAX:
        case T30_ERR_RX_T2EXPMPS:
        case T30_ERR_RX_T2EXPRR:
        case T30_ERR_RX_T2EXP:
        case T30_ERR_RX_T2EXPDCN:
        case T30_ERR_RX_NOCARRIER:
        case T30_ERR_RETRYDCN:
            return true;
        default:
            return false;
    }
}

int modulations_of(const ModemIdentity& id) {
    // A modulation counts when the modem can both send and receive it.
    auto has = [&](std::initializer_list<int> codes) {
        for (int c : codes) {
            const bool tx =
                std::find(id.class1_ftm.begin(), id.class1_ftm.end(), c) != id.class1_ftm.end();
            const bool rx =
                std::find(id.class1_frm.begin(), id.class1_frm.end(), c) != id.class1_frm.end();
            if (tx && rx) return true;
        }
        return false;
    };
    int m = 0;
    if (has({24, 48})) m |= T30_SUPPORT_V27TER;
    if (has({72, 96})) m |= T30_SUPPORT_V29;
    if (has({73, 74, 97, 98, 121, 122, 145, 146})) m |= T30_SUPPORT_V17;
    return m;
}

ModemLineOptions line_options(const Class1DeviceConfig& config) {
    ModemLineOptions o;
    o.serial.flow = config.quirks.flow_control;
    o.serial.max_write_chunk = std::max<std::size_t>(config.write_chunk, 1);
    o.default_name = "Class 1 modem " + config.device.string();
    return o;
}

}  // namespace

Class1Device::Class1Device(asio::io_context& io, const Clock& clock, Class1DeviceConfig config)
    : clock_(clock),
      config_(std::move(config)),
      modem_(io, clock, config_, *this, line_options(config_)) {}

Class1Device::~Class1Device() {
    call_.reset();       // its waits withdraw from the channel while it is there
    front_end_.reset();  // before the channel it talks through
}

// --- the modem's life as Class 1 sees it -------------------------------------------

ModemSetup Class1Device::setup(const ModemIdentity& id) {
    ModemSetup s;
    s.description = id.describe();
    if (!id.supports("1")) {
        s.refusal = "not a Class 1 fax modem (" + s.description + ")";
        return s;
    }
    modulations_ = modulations_of(id);
    if (modulations_ == 0) {
        s.refusal = "the modem lists no fax modulation to +FTM=?/+FRM=? (" + s.description + ")";
        return s;
    }
    s.init.push_back({"AT+FCLASS=1", true});
    return s;
}

void Class1Device::on_unavailable(const std::string& why) {
    if (front_end_ && !front_end_->finished()) front_end_->line_lost(why);
    const Class1State was = state_;
    if (was == Class1State::Dialing || was == Class1State::Answering ||
        was == Class1State::Ringing) {
        call_.reset();  // suspended at its ATD/ATA or waiting for the channel
        end_call(line_outcome(Fps::Unavailable, FailureClass::NoCarrier, why));
    } else if (front_end_) {
        // The call ends with T.30's view (T30_ERR_CALLDROPPED) once poll() sees it.
        pending_outcome_ =
            outcome_from_t30(front_end_->session().cause(), front_end_->session().pages_done());
        pending_outcome_->cause_text += " (" + why + ")";
    }
}

void Class1Device::end_lost_call() {
    call_.reset();  // it waits on a channel that is gone
    if (!front_end_ && !pending_outcome_) {
        state_ = Class1State::Ready;
        return;
    }
    CallOutcome o = pending_outcome_ ? *pending_outcome_
                                     : outcome_from_t30(front_end_->session().cause(),
                                                        front_end_->session().pages_done());
    pending_outcome_.reset();
    front_end_.reset();
    outbound_.reset();
    inbound_.reset();
    state_ = Class1State::Ready;
    if (listener_) listener_->on_call_ended(o);
}

// --- poll -------------------------------------------------------------------------

void Class1Device::poll() {
    try {
        // A call the modem failed under ends before the line's objects are freed.
        if (modem_.state() == Class1State::Unavailable) end_lost_call();
        if (!modem_.poll()) return;
        if (front_end_) front_end_->poll();
        resume_call();  // a call waiting for T.30 or the modem looks again
    } catch (const std::exception& e) {
        modem_.set_unavailable(std::string("internal error: ") + e.what());
    }
}

// --- the call's coroutine -----------------------------------------------------------

Class1Device::Resumed::~Resumed() {
    // A call dropped while it waits here must not be resumed.
    if (handle && device->waiting_ == handle) device->waiting_ = {};
}

void Class1Device::Resumed::await_suspend(std::coroutine_handle<> h) {
    handle = h;
    device->waiting_ = h;
}

void Class1Device::resume_call() {
    if (std::coroutine_handle<> h = std::exchange(waiting_, {})) h.resume();
}

void Class1Device::start(Task<CallEnd> call) {
    call_ = std::move(call);
    call_.start([this] { call_ended(); });
}

// The call's frame has stopped: report its end, then what it found of the modem.
void Class1Device::call_ended() {
    CallEnd e;
    try {
        e = call_.result();
    } catch (const std::exception& ex) {
        e.modem_failure = std::string("internal error: ") + ex.what();
    }
    if (e.outcome) end_call(*e.outcome);
    // Without an outcome the line failed: on_unavailable() ends the call.
    if (!e.outcome && e.modem_failure.empty()) e.modem_failure = "no answer to the call's command";
    if (!e.modem_failure.empty()) modem_.set_unavailable(e.modem_failure);
}

void Class1Device::dial(const OutboundCall& call) {
    if (status() != Class1State::Ready)
        throw std::logic_error(name() + ": dial while " + to_string(status()));
    outbound_ = call;
    inbound_.reset();
    local_hangup_ = false;
    state_ = Class1State::Dialing;
    start(run_call(true));
}

void Class1Device::answer(const InboundCall& call) {
    if (status() != Class1State::Ringing)
        throw std::logic_error(name() + ": answer while " + to_string(status()));
    inbound_ = call;
    outbound_.reset();
    local_hangup_ = false;
    state_ = Class1State::Answering;
    start(run_call(false));
}

Task<Class1Device::CallEnd> Class1Device::run_call(bool calling) {
    // The idle check's "AT" may be on its way: the call's first command follows its answer.
    co_await modem_.until_free();
    std::string command = calling ? config_.dial_command + outbound_->number : "ATA";
    const Duration timeout = calling ? config_.dial_timeout : config_.answer_timeout;
    const AtResponse r = co_await modem_.exchange(std::move(command), timeout);
    if (!r.answered()) co_return CallEnd{std::nullopt, r.error};
    if (r.result != AtResult::Connect) {
        if (calling) co_return CallEnd{dial_outcome(r), {}};
        co_return co_await hang_up(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                                "caller hung up before the call was answered"));
    }
    std::optional<CallOutcome> failed = open_front_end(calling);
    if (failed) co_return co_await hang_up(std::move(*failed));
    if (listener_) listener_->on_connected();
    front_end_->start();
    while (!front_end_->finished()) co_await next_poll();
    const CallOutcome outcome = finish_call();
    // ATH once the modem has stopped sending or receiving.
    for (;;) {
        AtChannel* at = modem_.at();
        if (front_end_->modem_idle() && at && !at->busy() && !at->in_data_mode()) break;
        co_await next_poll();
    }
    co_return co_await hang_up(outcome);
}

CallOutcome Class1Device::dial_outcome(const AtResponse& r) const {
    switch (r.result) {
        case AtResult::Busy:
            return line_outcome(Fps::Busy, FailureClass::Busy, "line busy");
        case AtResult::NoAnswer:
            return line_outcome(Fps::NoAnswer, FailureClass::NoAnswer, "no answer");
        case AtResult::NoCarrier:
            return line_outcome(Fps::NoAnswer, FailureClass::NoCarrier,
                                "no carrier: no fax machine answered");
        case AtResult::NoDialtone:
            return line_outcome(Fps::NoDialTone, FailureClass::NoCarrier, "no dial tone");
        default:
            return line_outcome(Fps::FatalError, FailureClass::Protocol,
                                name() + " answered " + r.final_line + " to the dial command");
    }
}

// Connected: the call's front end, ready for T.30. Gives the call's outcome when the
// document cannot be opened.
std::optional<CallOutcome> Class1Device::open_front_end(bool calling) {
    Class1CallConfig cfg;
    cfg.calling_party = calling;
    cfg.quirks = config_.quirks;
    if (calling) {
        cfg.direction = SessionDirection::Send;
        cfg.session = outbound_->session;
        cfg.file = outbound_->document;
        cfg.first_page = outbound_->first_page;
        cfg.last_page = outbound_->last_page;
    } else {
        cfg.direction = SessionDirection::Receive;
        cfg.session = inbound_->session;
        cfg.file = inbound_->rx_file;
    }
    // Offer only what the modem can modulate.
    if (modulations_ && (cfg.session.modulations & modulations_))
        cfg.session.modulations &= modulations_;
    auto sink = [this](const SessionEvent& e) {
        if (listener_) listener_->on_session_event(e);
    };
    try {
        front_end_ = std::make_unique<Class1FrontEnd>(*modem_.at(), clock_, cfg, sink);
    } catch (const std::exception& e) {
        state_ = Class1State::HangingUp;
        return line_outcome(Fps::FatalError, FailureClass::Document, e.what());
    }
    if (call_hook_) call_hook_(*front_end_);
    state_ = Class1State::InCall;
    return std::nullopt;
}

// T.30 is over: its outcome, and the modem told to stop.
CallOutcome Class1Device::finish_call() {
    const T30Session& s = front_end_->session();
    CallOutcome o = outcome_from_t30(s.cause(), s.pages_done());
    if (!o.ok()) {
        const std::string& err = front_end_->modem_error();
        if (!local_hangup_ && s.cause() != T30_ERR_CALLDROPPED && is_timeout_cause(s.cause()) &&
            clock_.now() - front_end_->last_heard() >= kSilentLine) {
            // Nothing came from the far end any more: its line is gone.
            std::string text = o.cause_text;
            o = outcome_from_t30(T30_ERR_CALLDROPPED, s.pages_done());
            o.cause_text += " (the line went silent: " + text + ")";
        } else if (!err.empty()) {
            o.cause_text += " (" + err + ")";
        }
    }
    state_ = Class1State::HangingUp;
    if (!front_end_->modem_idle()) front_end_->abort_modem();
    return o;
}

Task<Class1Device::CallEnd> Class1Device::hang_up(CallOutcome outcome) {
    AtChannel* at = modem_.at();
    if (!at) co_return CallEnd{std::move(outcome), {}};
    if (at->in_data_mode()) at->leave_data_mode();
    modem_.cancel();
    const AtResponse r = co_await modem_.exchange("ATH", kShortTimeout);
    // The call is over either way; without an answer the modem is not usable.
    co_return CallEnd{std::move(outcome), r.answered() ? std::string{} : r.error};
}

// Hung up while dialling or answering: any character aborts that.
Task<Class1Device::CallEnd> Class1Device::abort_call() {
    const std::uint8_t can = 0x18;
    if (AtChannel* at = modem_.at()) at->send_data(&can, 1);
    const AtResponse r = co_await modem_.exchange({}, kShortTimeout);
    (void)r;  // whatever the modem says, ATH follows
    co_return co_await hang_up(line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
}

void Class1Device::end_call(CallOutcome outcome) {
    call_.reset();
    front_end_.reset();  // closes the TIFF: a received file is complete after this
    outbound_.reset();
    inbound_.reset();
    state_ = Class1State::Ready;
    modem_.back_to_idle();
    if (listener_) listener_->on_call_ended(outcome);
}

void Class1Device::hangup() {
    switch (state_) {
        case Class1State::Ringing:
            state_ = Class1State::Ready;
            if (listener_)
                listener_->on_call_ended(
                    line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
            return;
        case Class1State::Dialing:
        case Class1State::Answering:
            call_.reset();  // withdraws its ATD/ATA
            modem_.cancel();
            state_ = Class1State::HangingUp;
            start(abort_call());
            return;
        case Class1State::InCall:
            local_hangup_ = true;
            if (front_end_) front_end_->line_lost("hung up here");
            return;
        default:
            return;
    }
}

void Class1Device::on_ring(int count, const std::string& caller_id) {
    state_ = Class1State::Ringing;
    if (listener_) listener_->on_ring(count, caller_id);
}

void Class1Device::on_ring_stopped() {
    // The caller gave up before we answered.
    state_ = Class1State::Ready;
    if (listener_)
        listener_->on_call_ended(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                              "caller hung up before the call was answered"));
}

void Class1Device::on_unsolicited(const std::string& line) {
    if (line == "NO CARRIER" && state_ == Class1State::InCall && front_end_)
        front_end_->line_lost("the modem said NO CARRIER: the call dropped");
}

}  // namespace faxemu
