#include "devices/class2/class2_device.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "devices/class2_protocol/hangup_codes.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/dle.hpp"
#include "devices/serial/modem_probe.hpp"

namespace faxemu {

namespace {

using std::chrono::seconds;

constexpr Duration kCommandTimeout = seconds(5);
constexpr Duration kTrailingFinal = seconds(2);     // OK/ERROR after +FHNG:
constexpr Duration kFinalHangupWait = seconds(30);  // +FHNG after the last page
constexpr std::size_t kFeedLow = 4096;              // keep at least this much queued on the line
constexpr std::size_t kFeedChunk = 1024;
constexpr int kMaxPageTries = 3;  // a page answered RTN is sent again, up to this often

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

std::string after_colon(const std::string& s) {
    const auto c = s.find(':');
    return c == std::string::npos ? std::string() : s.substr(c + 1);
}

std::optional<int> int_after_colon(const std::string& s) {
    std::string v = unquote_id(after_colon(s));
    v = unquote_id(v.substr(0, v.find(',')));  // "+FPS:1,2292,0,0,0": the status first
    if (v.empty()) return std::nullopt;
    int n = 0;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return std::nullopt;
        n = n * 10 + (ch - '0');
        if (n > 1000) return std::nullopt;
    }
    return n;
}

std::string seconds_of(Duration d) {
    return std::to_string(std::chrono::duration_cast<seconds>(d).count()) + " s";
}

}  // namespace

struct Class2Device::Call {
    bool outbound = false;
    OutboundCall out;
    InboundCall in;
    std::unique_ptr<T4PageEncoder> encoder;
    std::unique_ptr<T4PageWriter> writer;
    Class2Params offered;  // our capabilities for this call
    bool connected = false;
    bool ending = false;
    std::string remote_id;
    std::optional<Class2Params> remote_dis;
    std::optional<Class2Params> session;   // the latest +FDCS/+FCS
    std::optional<Class2Params> reported;  // the session last reported as Negotiated
    std::optional<Class2Params> dis_set;   // the last +FDIS/+FIS we set
    int pages_done = 0;
    int pages_total = 0;
    bool last_page = false;

    // Sending: the page on the line.
    std::vector<std::uint8_t> page;  // coded, kept for a resend after RTN
    T4SourcePage page_info;
    int page_df = -1;
    int ppm = 2;
    int tries = 0;
    bool resend = false;
    bool awaiting_pts = false;
    std::optional<int> pts;
    std::vector<std::uint8_t> tx;  // stuffed bytes not yet handed to the line
    std::size_t tx_off = 0;
    bool in_data = false;  // page data started and not ended
    bool waiting_xon = false;
    std::string raw_text;  // bytes seen while waiting for XON

    // Receiving.
    std::optional<int> fet;
    T4ReceivedPage rx_page;

    // A wait of our own (XON, received data) with what to say when it runs out.
    std::optional<TimePoint> deadline;
    std::string deadline_what;
    // The line went away: how the call ended (nothing more goes to the modem).
    std::optional<CallOutcome> lost;
};

namespace {

ModemLineOptions line_options(const Class2DeviceConfig& config) {
    ModemLineOptions o;
    o.serial.flow = config.quirks.flow_control;
    o.probe.query_class1_modulations = false;
    o.default_name = config.device.string();
    return o;
}

}  // namespace

Class2Device::Class2Device(asio::io_context& io, const Clock& clock, Class2DeviceConfig config)
    : clock_(clock),
      config_(std::move(config)),
      modem_(io, clock, config_, *this, line_options(config_)) {}

Class2Device::~Class2Device() {
    task_.reset();  // withdraws what the call waits for
    call_.reset();
}

std::string Class2Device::name() const {
    return modem_.name();
}

void Class2Device::trace(const std::string& text) const {
    modem_.trace(text);
}

// What ends a call before its dialogue does, thrown from where the coroutine waits.
struct Class2Device::Ending {
    enum class How {
        Finish,    // the call is over: ATH
        Abort,     // stop the modem's session (+FK/+FKS), then ATH
        HangUp,    // the modem reported +FHNG/+FHS: take its final result, then ATH
        LineLost,  // the modem went away: nothing more to say to it
    };
    How how = How::Finish;
    CallOutcome outcome;
};

// How the call ended, for call_ended() once the coroutine has stopped.
struct Class2Device::CallEnd {
    CallOutcome outcome;
    bool lost = false;     // the line went away (outcome says how)
    bool modem_ok = true;  // ATH was answered
    std::string why;       // when not: why the modem is unavailable
};

// Every wait of the call's coroutine: the answer to an AT command (or to expect),
// or an event that wake() reports. A stop() resumes it too; it then throws the
// Ending. The waiting AT request is withdrawn when the wait is left early.
class Class2Device::Wait {
  public:
    Wait(Class2Device& device, std::optional<AtRequest> request) : d_(device) {
        traced_ = request && !request->command.empty();
        expects_answer_ = request.has_value();
        if (request && d_.at()) command_.emplace(*d_.at(), std::move(*request));
    }
    // Left early (the call's coroutine dropped): nobody may resume it any more.
    ~Wait() {
        if (handle_ && d_.waiting_ == handle_) d_.waiting_ = {};
    }
    Wait(const Wait&) = delete;
    Wait& operator=(const Wait&) = delete;

    bool await_ready() const { return d_.stop_ != nullptr || (expects_answer_ && !command_); }
    void await_suspend(std::coroutine_handle<> awaiting) {
        handle_ = awaiting;
        d_.waiting_ = awaiting;
        d_.waiting_for_event_ = !expects_answer_;
        if (!command_) return;
        if (traced_) d_.trace("-> " + command_text_());
        try {
            command_->await_suspend(awaiting);  // may resume the coroutine at once
        } catch (...) {
            d_.waiting_ = {};
            throw;
        }
    }
    AtResponse await_resume() {
        d_.waiting_ = {};
        d_.waiting_for_event_ = false;
        if (d_.call_ && !d_.call_->ending) d_.check_stop();
        if (!expects_answer_) return {};
        AtResponse r;
        if (command_ && command_->done()) {
            r = command_->await_resume();
        } else {
            r.result = AtResult::Vanished;
            r.error = d_.modem_.unavailable_reason().empty() ? d_.name() + ": the modem is gone"
                                                             : d_.modem_.unavailable_reason();
            return r;
        }
        d_.trace("<- " + (r.lines.empty() ? "" : r.text() + "; ") + r.final_line +
                 (r.error.empty() ? "" : " (" + r.error + ")"));
        return r;
    }

  private:
    std::string command_text_() const { return command_->request().command; }
    Class2Device& d_;
    std::coroutine_handle<> handle_;
    std::optional<AtChannel::Command> command_;
    bool traced_ = false;
    bool expects_answer_ = false;
};

// --- the modem's life as Class 2 sees it -----------------------------------------------

ModemSetup Class2Device::setup(const ModemIdentity& id) {
    ModemSetup s;
    const bool has2 = id.supports("2"), has20 = id.supports("2.0");
    std::string classes;
    for (const auto& c : id.classes) classes += (classes.empty() ? "" : ",") + c;
    if (config_.variant) {
        variant_ = *config_.variant;
        if ((variant_ == Class2Variant::Class2 && !has2) ||
            (variant_ == Class2Variant::Class20 && !has20)) {
            s.refusal = name() + ": the modem offers fax classes " + classes + ", not " +
                        to_string(variant_);
            return s;
        }
    } else if (has20 || has2) {
        variant_ = has20 ? Class2Variant::Class20 : Class2Variant::Class2;
    } else {
        s.refusal = name() + ": the modem offers fax classes " + classes +
                    ", neither Class 2 nor Class 2.0";
        return s;
    }
    s.description = std::string(to_string(variant_)) + " modem: " + id.describe();
    const Class2Names& n = class2_names(variant_);
    modem_.at()->add_final(n.r_hng);
    s.init.push_back({std::string("AT+FCLASS=") + n.fclass, true});
    s.init.push_back({"AT+FCR=1"});
    s.init.push_back({std::string("AT") + n.bor + "=" + std::to_string(config_.quirks.bit_order)});
    if (variant_ == Class2Variant::Class20) {
        const int flo = config_.quirks.flow_control == FlowControl::XonXoff  ? 1
                        : config_.quirks.flow_control == FlowControl::RtsCts ? 2
                                                                             : 0;
        s.init.push_back({"AT+FLO=" + std::to_string(flo)});
        s.init.push_back({"AT+FNR=1,1,1,0"});
        s.init.push_back({"AT+FIE=0"});
    }
    s.init.push_back(
        {std::string("AT") + n.dcc + "=" + format_class2_params(caps(SessionConfig{}), variant_)});
    return s;
}

void Class2Device::on_ready() {
    state_ = Class2State::Ready;
    const std::string quirks = describe(config_.quirks);
    trace("ready: " + modem_.description() + (quirks.empty() ? "" : " (quirks: " + quirks + ")"));
}

void Class2Device::on_unavailable(const std::string& why) {
    state_ = Class2State::Ready;
    if (!call_ || call_->lost) return;
    CallOutcome o = line_outcome(Fps::FatalError, FailureClass::LineDropped,
                                 "the modem went away during the call: " + why);
    o.pages_done = call_->pages_done;
    call_->lost = o;
    stop(Ending{Ending::How::LineLost, o});
}

void Class2Device::on_ring(int count, const std::string& caller_id) {
    state_ = Class2State::Ringing;
    if (listener_) listener_->on_ring(count, caller_id);
}

void Class2Device::on_ring_stopped() {
    state_ = Class2State::Ready;
    if (listener_)
        listener_->on_call_ended(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                              "caller hung up before the call was answered"));
}

void Class2Device::on_unsolicited(const std::string& l) {
    const char* hng = class2_names(variant_).r_hng;
    if (starts_with(l, hng) && call_ && !call_->ending) {
        trace("<- " + l + " (unsolicited)");
        stop(hangup_report(after_colon(l)));
    }
}

void Class2Device::poll() {
    if (!modem_.poll()) return;
    const TimePoint now = clock_.now();
    if (call_ && !call_->ending && call_->deadline && now >= *call_->deadline) {
        call_->deadline.reset();
        stop(abort(Fps::FatalError, FailureClass::Protocol, name() + ": " + call_->deadline_what));
        return;
    }
    if (call_ && call_->in_data && !call_->waiting_xon) feed_page_data();
}

// --- waiting inside a call ----------------------------------------------------------

Class2Device::Wait Class2Device::command(std::string cmd, Duration timeout) {
    return Wait(*this, at_request(std::move(cmd), timeout));
}

Class2Device::Wait Class2Device::expect(Duration timeout) {
    return Wait(*this, at_request({}, timeout));
}

Class2Device::Wait Class2Device::event() {
    return Wait(*this, std::nullopt);
}

Task<> Class2Device::introduce(const std::string& local_ident) {
    // The idle check's "AT" may be on its way: the call's first command follows its
    // answer. A stop() meanwhile is taken by the command's wait.
    co_await modem_.until_free();
    const AtResponse r = co_await command(
        std::string("AT") + class2_names(variant_).lid + "=\"" + local_ident + "\"",
        kCommandTimeout);
    checked(r, "the local id");
}

Class2Device::Ending Class2Device::file_error(const FaxError& e) {
    CallOutcome o = outcome_from_t30(T30_ERR_FILEERROR, 0);
    o.cause_text = e.what();
    return Ending{Ending::How::Finish, o};
}

void Class2Device::wake() {
    if (!waiting_for_event_) return;
    if (std::coroutine_handle<> h = std::exchange(waiting_, {})) h.resume();
}

void Class2Device::stop(Ending ending) {
    if (!call_) return;
    const bool lost = ending.how == Ending::How::LineLost;
    if (call_->ending && !lost) return;
    if (stop_ && !lost) return;  // the first reason stands, unless the line is gone
    stop_ = std::make_unique<Ending>(std::move(ending));
    // Waiting: resume the coroutine, which throws the Ending from there. Running
    // (we are inside one of its callbacks): it throws at its next check.
    if (std::coroutine_handle<> h = std::exchange(waiting_, {})) h.resume();
}

void Class2Device::check_stop() {
    if (!stop_) return;
    Ending e = std::move(*stop_);
    stop_.reset();
    throw e;
}

Class2Device::Ending Class2Device::abort(Fps fps, FailureClass failure,
                                         const std::string& why) const {
    return Ending{Ending::How::Abort, line_outcome(fps, failure, why)};
}

Class2Device::Ending Class2Device::hangup_report(const std::string& code_text) {
    const std::string code = unquote_id(code_text);
    const Call& c = *call_;
    CallOutcome o = hangup_outcome(variant_, code, c.pages_done);
    if (o.ok() && c.outbound && c.pages_done < c.pages_total) {
        o = outcome_from_t30(T30_ERR_TX_PHDDEAD, c.pages_done);
        o.cause_text = "the modem ended the call after " + std::to_string(c.pages_done) + " of " +
                       std::to_string(c.pages_total) + " pages (" + class2_names(variant_).r_hng +
                       code + ")";
    }
    trace("hang-up: " + o.cause_text);
    return Ending{Ending::How::HangUp, o};
}

void Class2Device::line_error(const std::string& message) {
    modem_.set_unavailable(message);  // on_unavailable() marks the call lost
    check_stop();
    throw Ending{Ending::How::LineLost, call_->lost.value_or(CallOutcome{})};
}

void Class2Device::checked(const AtResponse& r, const char* what) {
    absorb_lines(r);
    check_stop();
    switch (r.result) {
        case AtResult::Extra:
            throw hangup_report(after_colon(r.final_line));
        case AtResult::Timeout:
            // A modem that stops answering is what the port shows (as Class 1's
            // does); the device finds it unavailable and retries it.
            throw abort(Fps::Unavailable, FailureClass::Protocol,
                        name() + ": no answer from the modem to " + what);
        case AtResult::Garbage:
        case AtResult::Vanished:
            line_error(r.error.empty() ? name() + ": the modem failed during " + what : r.error);
        default:
            return;
    }
}

void Class2Device::connected() {
    if (call_->connected) return;
    call_->connected = true;
    if (listener_) listener_->on_connected();
}

// --- what the modem says during a call ---------------------------------------------

void Class2Device::absorb_lines(const AtResponse& r) {
    if (!call_) return;
    const Class2Names& n = class2_names(variant_);
    for (const std::string& l : r.lines) {
        if (starts_with(l, n.con)) {
            if (!call_->connected) {
                state_ = Class2State::InCall;
                connected();
            }
        } else if (starts_with(l, n.r_csi) || starts_with(l, n.r_tsi)) {
            call_->remote_id = unquote_id(after_colon(l));
        } else if (starts_with(l, n.r_dis)) {
            call_->remote_dis = parse_class2_params(after_colon(l), variant_);
        } else if (starts_with(l, n.r_dcs)) {
            if (auto p = parse_class2_params(after_colon(l), variant_)) call_->session = p;
        } else if (starts_with(l, n.r_pts)) {
            call_->pts = int_after_colon(l);
            if (call_->outbound && call_->awaiting_pts && call_->pts) {
                call_->awaiting_pts = false;
                const int pts = *call_->pts;
                // MCF, RTP and PIP confirm the page; RTN and PIN ask for it again.
                if (pts == 1 || pts == 3 || pts == 5) {
                    ++call_->pages_done;
                    call_->resend = false;
                    SessionEvent ev = event(SessionEvent::Kind::PageDone);
                    ev.last_page = call_->ppm == 2;
                    report(ev);
                }
            }
        } else if (starts_with(l, "+FET:")) {
            call_->fet = int_after_colon(l);
        }
    }
}

Class2Params Class2Device::caps(const SessionConfig& s) const {
    Class2Params p;
    p.vr = 1;
    p.br = (s.modulations & static_cast<int>(Modulation::V17))   ? 5
           : (s.modulations & static_cast<int>(Modulation::V29)) ? 3
                                                                 : 1;
    p.wd = 0;
    p.ln = 2;
    p.ec = s.ecm ? 2 : 0;
    p.df = (s.ecm && (s.codings & static_cast<int>(Coding::MMR))) ? 3
           : (s.codings & static_cast<int>(Coding::MR))           ? 1
                                                                  : 0;
    return p;
}

Class2BitOrder Class2Device::tx_order() const {
    return (config_.quirks.bit_order & 1) ? Class2BitOrder::Reversed : Class2BitOrder::Direct;
}

Class2BitOrder Class2Device::rx_order() const {
    const bool reversed = ((config_.quirks.bit_order & 1) != 0) != config_.quirks.reversed_rx_data;
    return reversed ? Class2BitOrder::Reversed : Class2BitOrder::Direct;
}

SessionEvent Class2Device::event(SessionEvent::Kind kind) const {
    SessionEvent ev;
    ev.kind = kind;
    if (!call_) return ev;
    ev.pages_done = call_->pages_done;
    ev.pages_total = call_->pages_total;
    ev.remote_ident = call_->remote_id;
    if (call_->session) {
        const bool v17 = call_->outbound && call_->offered.br >= 4 && call_->remote_dis &&
                         call_->remote_dis->br >= 4;
        ev.session = to_dcs_info(*call_->session, v17);
    }
    return ev;
}

void Class2Device::report(const SessionEvent& ev) {
    if (listener_) listener_->on_session_event(ev);
}

void Class2Device::report_negotiated() {
    if (!call_ || !call_->session) return;
    if (call_->reported && *call_->reported == *call_->session) return;
    call_->reported = call_->session;
    report(event(SessionEvent::Kind::Negotiated));
}

// --- the call's coroutine -------------------------------------------------------------

void Class2Device::start_call() {
    task_ = run_call();
    task_.start([this] { call_ended(); });
}

Task<> Class2Device::run_call() {
    std::optional<Ending> ending;
    try {
        if (call_->outbound)
            co_await send_call();
        else
            co_await receive_call();
    } catch (const Ending& e) {
        ending = e;
    } catch (const std::exception& e) {
        ending = abort(Fps::FatalError, FailureClass::Protocol, name() + ": " + e.what());
    }
    if (!ending) ending = abort(Fps::FatalError, FailureClass::Protocol, name() + ": no outcome");
    stop_.reset();
    try {
        co_await end_call(std::move(*ending));
    } catch (const std::exception& e) {
        end_ = std::make_unique<CallEnd>();
        end_->outcome = ending->outcome;
        end_->modem_ok = false;
        end_->why = name() + ": " + e.what();
    }
}

// --- sending ---------------------------------------------------------------------------

void Class2Device::dial(const OutboundCall& call) {
    if (status() != Class2State::Ready)
        throw std::logic_error(name() + ": dial while " + to_string(status()));
    call_ = std::make_unique<Call>();
    call_->outbound = true;
    call_->out = call;
    call_->offered = caps(call.session);
    state_ = Class2State::Dialing;
    trace("dialling " + call.number);
    start_call();
}

Task<> Class2Device::send_call() {
    Call& c = *call_;
    try {
        c.encoder =
            std::make_unique<T4PageEncoder>(c.out.document, c.out.first_page, c.out.last_page);
        c.pages_total = c.encoder->page_count();
    } catch (const FaxError& e) {
        throw file_error(e);
    }
    co_await introduce(c.out.session.local_ident);
    const Class2Names& n = class2_names(variant_);
    // The session for the call; with the quirk, already the first page's.
    Class2Params p = c.offered;
    if (config_.quirks.session_before_dial) {
        const T4SourcePage& first = c.encoder->page(0);
        p.vr = first.vr;
        p.wd = std::max(0, wd_of_width(first.width));
    }
    AtResponse r = co_await command(
        std::string("AT") + n.dis + "=" + format_class2_params(p, variant_), kCommandTimeout);
    checked(r, "the session parameters");
    if (r.ok()) c.dis_set = p;
    r = co_await command(config_.dial_command + c.out.number, config_.dial_timeout);
    checked(r, "ATD");
    dial_answered(r);
    while (c.resend || c.encoder->more()) co_await send_page();
    co_await wait_final_hangup();
}

void Class2Device::dial_answered(const AtResponse& r) {
    switch (r.result) {
        case AtResult::Ok:
            connected();
            check_stop();
            state_ = Class2State::InCall;
            return;
        case AtResult::Busy:
            throw Ending{Ending::How::Finish,
                         line_outcome(Fps::Busy, FailureClass::Busy, "line busy")};
        case AtResult::NoAnswer:
            throw Ending{Ending::How::Finish,
                         line_outcome(Fps::NoAnswer, FailureClass::NoAnswer, "no answer")};
        case AtResult::NoDialtone:
            throw Ending{Ending::How::Finish,
                         line_outcome(Fps::NoDialTone, FailureClass::NoAnswer, "no dial tone")};
        case AtResult::NoCarrier:
            throw Ending{Ending::How::Finish, line_outcome(Fps::NoAnswer, FailureClass::NoCarrier,
                                                           "no fax answered (NO CARRIER)")};
        case AtResult::Connect:
            throw abort(Fps::NotFaxCall, FailureClass::NoCarrier,
                        "a data modem answered (" + r.final_line + ")");
        default:
            throw Ending{Ending::How::Finish,
                         line_outcome(Fps::FatalError, FailureClass::Protocol,
                                      name() + ": the modem answered " + r.final_line + " to ATD")};
    }
}

// One page: its session, +FDT, the data, the post-page exchange. A page the far
// end rejects is marked for sending again.
Task<> Class2Device::send_page() {
    Call& c = *call_;
    const T4SourcePage info = c.resend ? c.page_info : c.encoder->next_page_info();
    if (c.remote_dis && info.vr > c.remote_dis->vr) {
        CallOutcome o = outcome_from_t30(T30_ERR_NORESSUPPORT, c.pages_done);
        o.cause_text = "the far end cannot receive page " + std::to_string(c.pages_done + 1) +
                       "'s resolution (vr=" + std::to_string(info.vr) + ")";
        throw Ending{Ending::How::Abort, o};
    }
    Class2Params wanted = c.dis_set.value_or(c.offered);
    wanted.vr = info.vr;
    wanted.wd = std::max(0, wd_of_width(info.width));
    if (!c.dis_set || c.dis_set->vr != wanted.vr || c.dis_set->wd != wanted.wd) {
        const AtResponse r = co_await command(std::string("AT") + class2_names(variant_).dis + "=" +
                                                  format_class2_params(wanted, variant_),
                                              kCommandTimeout);
        checked(r, "the page's session parameters");
        if (!r.ok())
            throw abort(Fps::FatalError, FailureClass::Protocol,
                        name() + ": the modem refused the session " +
                            format_class2_params(wanted, variant_));
        c.dis_set = wanted;
    }
    AtResponse r = co_await command("AT+FDT", config_.phase_b_timeout);
    checked(r, "+FDT");
    if (r.result != AtResult::Connect)
        throw abort(Fps::FatalError, FailureClass::Protocol,
                    name() + ": the modem answered " + r.final_line + " to +FDT");
    prepare_page(info);
    if (config_.quirks.wait_for_xon.value_or(variant_ == Class2Variant::Class2))
        co_await wait_for_xon();
    c.deadline.reset();
    if (config_.quirks.flow_control == FlowControl::XonXoff)
        serial()->set_inbound_flow_control(true);
    const int rate = std::max(2400, bit_rate_of_br(c.session ? c.session->br : 0));
    const auto on_line =
        std::chrono::milliseconds(static_cast<std::int64_t>(c.page.size()) * 8 * 1000 / rate);
    c.awaiting_pts = variant_ == Class2Variant::Class20;
    feed_page_data();  // poll() feeds the rest
    r = co_await expect(config_.page_timeout + 3 * on_line);
    co_await page_confirmed(r);
}

// After +FDT's CONNECT: the page checked against the session, coded and stuffed.
void Class2Device::prepare_page(const T4SourcePage& info) {
    Call& c = *call_;
    // The modem now takes page data until <DLE><ETX> (or <DLE>'.' ...), even to abort.
    c.in_data = true;
    if (!c.session) c.session = c.dis_set.value_or(c.offered);
    const Class2Params s = *c.session;
    report_negotiated();
    check_stop();
    // The modem must carry the page as it is: a page at the wrong resolution would
    // arrive squished or stretched.
    std::string mismatch;
    if (s.vr != info.vr)
        mismatch = "the modem set up the session at vr=" + std::to_string(s.vr) +
                   " for a page at vr=" + std::to_string(info.vr) +
                   (c.dis_set && c.dis_set->vr == info.vr
                        ? " (it ignored +FDIS after dialling: quirk session_before_dial)"
                        : "");
    else if (width_of_wd(s.wd) != info.width)
        mismatch = "the session's page width (wd=" + std::to_string(s.wd) + ") is not the page's " +
                   std::to_string(info.width) + " px";
    else if (t4_encoding_of_df(s.df) < 0)
        mismatch = "the session's coding df=" + std::to_string(s.df) + " is not supported";
    else if (c.resend && s.df != c.page_df)
        mismatch = "the session's coding changed for the resent page";
    if (!mismatch.empty()) {
        CallOutcome o =
            line_outcome(Fps::FatalError, FailureClass::Incompatible, name() + ": " + mismatch);
        o.pages_done = c.pages_done;
        throw Ending{Ending::How::Abort, o};
    }
    if (!c.resend) {
        c.page_info = info;
        c.page_df = s.df;
        c.tries = 0;
        try {
            c.page = c.encoder->encode_next(s.df, tx_order());
        } catch (const FaxError& e) {
            CallOutcome o = outcome_from_t30(T30_ERR_BADPAGE, c.pages_done);
            o.cause_text = e.what();
            throw Ending{Ending::How::Abort, o};
        }
    }
    ++c.tries;
    // The post-page message: EOP after the last page; EOM when the next page needs
    // a new session (another resolution or width); MPS otherwise.
    if (!c.encoder->more()) {
        c.ppm = 2;
    } else {
        const T4SourcePage& next = c.encoder->next_page_info();
        c.ppm = (next.vr == info.vr && next.width == info.width) ? 0 : 1;
    }
    c.tx = dle_stuff(c.page, false);
    if (variant_ == Class2Variant::Class2) {
        dle_append_end(c.tx);
    } else {
        c.tx.push_back(dle::DLE);
        c.tx.push_back(c.ppm == 0 ? ',' : c.ppm == 1 ? ';' : '.');
    }
    c.tx_off = 0;
    c.pts.reset();
    trace("page " + std::to_string(c.pages_done + 1) + ": " + std::to_string(c.page.size()) +
          " bytes, session " + format_class2_params(s, variant_));
}

Task<> Class2Device::wait_for_xon() {
    // The modem sends XON (DC1) when it is ready for data; it may already be in the
    // bytes that followed CONNECT. poll() ends the wait at the deadline.
    Call& c = *call_;
    c.waiting_xon = true;
    c.raw_text.clear();
    c.deadline = clock_.now() + config_.xon_timeout;
    c.deadline_what =
        "no XON from the modem within " + seconds_of(config_.xon_timeout) + " after +FDT's CONNECT";
    DataSink sink;
    sink.raw = true;
    sink.data = [this](const std::uint8_t* data, std::size_t n) { xon_bytes(data, n); };
    at()->enter_data_mode(std::move(sink));
    co_await event();
}

void Class2Device::xon_bytes(const std::uint8_t* data, std::size_t n) {
    if (!call_ || !call_->waiting_xon) return;
    for (std::size_t i = 0; i < n; ++i) {
        if (data[i] == dle::DC1) {
            call_->waiting_xon = false;
            at()->leave_data_mode();
            trace("<- XON");
            wake();
            return;
        }
        // Text instead of XON: most likely a hang-up report.
        const char ch = static_cast<char>(data[i]);
        if (ch == '\r' || ch == '\n') {
            const std::string l = unquote_id(call_->raw_text);
            call_->raw_text.clear();
            if (starts_with(l, class2_names(variant_).r_hng)) {
                at()->leave_data_mode();
                call_->waiting_xon = false;
                call_->in_data = false;
                trace("<- " + l);
                stop(hangup_report(after_colon(l)));
                return;
            }
        } else if (call_->raw_text.size() < 256) {
            call_->raw_text.push_back(ch);
        }
    }
}

void Class2Device::feed_page_data() {
    if (!call_ || !serial()) return;
    Call& c = *call_;
    while (c.tx_off < c.tx.size() && serial()->pending_write_bytes() < kFeedLow) {
        const std::size_t n = std::min(kFeedChunk, c.tx.size() - c.tx_off);
        serial()->write(c.tx.data() + c.tx_off, n);
        c.tx_off += n;
    }
    if (c.tx_off >= c.tx.size()) {
        c.tx.clear();
        c.tx_off = 0;
    }
}

// The modem's answer to the page data, then (Class 2) +FET: the far end's verdict.
Task<> Class2Device::page_confirmed(const AtResponse& data_end) {
    Call& c = *call_;
    // Unanswered, the modem may still be taking data: an abort ends it first.
    if (data_end.answered()) {
        c.in_data = false;
        c.tx.clear();
        c.tx_off = 0;
    }
    if (serial()) serial()->set_inbound_flow_control(false);
    AtResponse r = data_end;
    if (variant_ == Class2Variant::Class2) {
        checked(r, "the page data");
        if (r.result != AtResult::Ok)
            throw abort(Fps::FatalError, FailureClass::Protocol,
                        name() + ": the modem answered " + r.final_line + " to the page data");
        const int rate = std::max(2400, bit_rate_of_br(c.session ? c.session->br : 0));
        const auto on_line =
            std::chrono::milliseconds(static_cast<std::int64_t>(c.page.size()) * 8 * 1000 / rate);
        c.awaiting_pts = true;
        r = co_await command("AT+FET=" + std::to_string(c.ppm), config_.page_timeout + 3 * on_line);
    }
    checked(r, "the post-page message");
    c.awaiting_pts = false;
    const int pts = c.pts.value_or(r.ok() ? 1 : 2);
    if (pts == 2 || pts == 4) {
        // RTN / PIN: the far end wants the page again (after retraining).
        if (c.tries >= kMaxPageTries) {
            CallOutcome o = outcome_from_t30(T30_ERR_TX_INVALRSP, c.pages_done);
            o.cause_text = "page " + std::to_string(c.pages_done + 1) + " was rejected " +
                           std::to_string(c.tries) + " times (" + class2_names(variant_).r_pts +
                           std::to_string(pts) + ")";
            throw Ending{Ending::How::Abort, o};
        }
        trace("page " + std::to_string(c.pages_done + 1) + " rejected, sending it again");
        c.resend = true;
        co_return;
    }
    if (r.result != AtResult::Ok && r.result != AtResult::Error)
        throw abort(Fps::FatalError, FailureClass::Protocol,
                    name() + ": the modem answered " + r.final_line + " after the page");
}

Task<> Class2Device::wait_final_hangup() {
    const AtResponse r = co_await expect(kFinalHangupWait);
    absorb_lines(r);
    check_stop();
    if (r.result == AtResult::Extra) throw hangup_report(after_colon(r.final_line));
    if (r.result == AtResult::Garbage || r.result == AtResult::Vanished) line_error(r.error);
    // No hang-up report: the pages count, whatever the modem does next.
    const Call& c = *call_;
    const bool all = c.outbound ? c.pages_done >= c.pages_total : c.last_page;
    if (all) throw Ending{Ending::How::Finish, outcome_from_t30(T30_ERR_OK, c.pages_done)};
    Ending e =
        abort(Fps::FatalError, FailureClass::Protocol, name() + ": the modem reported no hang-up");
    e.outcome.pages_done = c.pages_done;
    throw e;
}

// --- receiving ------------------------------------------------------------------------

void Class2Device::answer(const InboundCall& call) {
    if (status() != Class2State::Ringing)
        throw std::logic_error(name() + ": answer while " + to_string(status()));
    call_ = std::make_unique<Call>();
    call_->outbound = false;
    call_->in = call;
    call_->offered = caps(call.session);
    state_ = Class2State::Answering;
    trace("answering");
    start_call();
}

Task<> Class2Device::receive_call() {
    Call& c = *call_;
    try {
        c.writer = std::make_unique<T4PageWriter>(c.in.rx_file);
    } catch (const FaxError& e) {
        throw file_error(e);
    }
    co_await introduce(c.in.session.local_ident);
    const Class2Names& n = class2_names(variant_);
    AtResponse r = co_await command(
        std::string("AT") + n.dis + "=" + format_class2_params(c.offered, variant_),
        kCommandTimeout);
    checked(r, "the session parameters");
    r = co_await command("ATA", config_.answer_timeout);
    checked(r, "ATA");
    answer_answered(r);
    bool more = true;
    while (more) more = co_await receive_page();
    // +FDR answered OK: no page and no hang-up report yet; the report follows.
    co_await wait_final_hangup();
}

void Class2Device::answer_answered(const AtResponse& r) {
    switch (r.result) {
        case AtResult::Ok:
            connected();
            check_stop();
            state_ = Class2State::InCall;
            if (call_->writer) call_->writer->set_far_ident(call_->remote_id);
            report_negotiated();
            check_stop();
            return;
        case AtResult::NoCarrier:
            throw Ending{Ending::How::Finish, line_outcome(Fps::NotFaxCall, FailureClass::NoCarrier,
                                                           "no fax machine called (NO CARRIER)")};
        case AtResult::Connect:
            throw abort(Fps::NotFaxCall, FailureClass::NoCarrier,
                        "a data modem called (" + r.final_line + ")");
        default:
            throw Ending{Ending::How::Finish,
                         line_outcome(Fps::FatalError, FailureClass::Protocol,
                                      name() + ": the modem answered " + r.final_line + " to ATA")};
    }
}

// One page: +FDR, its data to <DLE><ETX>, the modem's report, our verdict. False
// when +FDR says there is no page (OK).
Task<bool> Class2Device::receive_page() {
    Call& c = *call_;
    c.fet.reset();
    c.pts.reset();
    AtResponse r = co_await command("AT+FDR", config_.receive_timeout);
    checked(r, "+FDR");
    if (r.result == AtResult::Ok) co_return false;
    if (r.result != AtResult::Connect)
        throw abort(Fps::FatalError, FailureClass::Protocol,
                    name() + ": the modem answered " + r.final_line + " to +FDR");
    if (!c.session)
        throw abort(Fps::FatalError, FailureClass::Protocol,
                    name() + ": page data without a session (+FDCS)");
    report_negotiated();
    check_stop();
    start_receiving(*c.session);
    co_await event();  // woken at <DLE><ETX>; poll() minds the gaps in the data
    c.deadline.reset();
    c.rx_page = c.writer->end_page();
    trace("page " + std::to_string(c.pages_done + 1) + " received: " +
          std::to_string(c.rx_page.rows) + " rows, " + std::to_string(c.rx_page.bad_rows) + " bad");
    r = co_await expect(kFinalHangupWait);
    // The page is in the file whatever comes next.
    absorb_lines(r);
    check_stop();
    ++c.pages_done;
    c.last_page = !c.fet || *c.fet == 2 || *c.fet == 5;
    SessionEvent ev = event(SessionEvent::Kind::PageDone);
    ev.last_page = c.last_page;
    report(ev);
    checked(r, "the end of the page");
    const T4ReceivedPage& p = c.rx_page;
    const bool good = p.rows > 0 && p.bad_rows <= config_.max_bad_row_share * p.rows;
    r = co_await command(std::string("AT") + class2_names(variant_).pts + "=" + (good ? "1" : "2"),
                         kCommandTimeout);
    checked(r, "the page status");
    co_return true;
}

// After +FDR's CONNECT: page data into the file, then the trigger that starts it.
void Class2Device::start_receiving(const Class2Params& s) {
    Call& c = *call_;
    try {
        c.writer->start_page(s.df, s.vr, width_of_wd(s.wd), rx_order());
    } catch (const FaxError& e) {
        CallOutcome o = line_outcome(Fps::FatalError, FailureClass::Incompatible, e.what());
        o.pages_done = c.pages_done;
        throw Ending{Ending::How::Abort, o};
    }
    c.deadline = clock_.now() + config_.receive_timeout;
    c.deadline_what = "no page data from the modem for " + seconds_of(config_.receive_timeout);
    DataSink sink;
    sink.dle.sub_is_two_dles = variant_ == Class2Variant::Class20;
    sink.data = [this](const std::uint8_t* data, std::size_t n) {
        if (!call_ || !call_->writer) return;
        call_->writer->put(data, n);
        call_->deadline = clock_.now() + config_.receive_timeout;
    };
    sink.end = [this] { wake(); };
    at()->enter_data_mode(std::move(sink));
    const std::uint8_t trigger =
        config_.quirks.rx_trigger ? config_.quirks.rx_trigger : class2_names(variant_).rx_trigger;
    trace(trigger == dle::DC1 ? "-> DC1" : "-> DC2");
    at()->send_data(&trigger, 1);
}

// --- ending ------------------------------------------------------------------------------

// The rest of the call after its Ending: what the modem still needs to hear.
Task<> Class2Device::end_call(Ending e) {
    Call& c = *call_;
    if (c.lost || e.how == Ending::How::LineLost) co_return lost_end();
    c.ending = true;
    c.deadline.reset();
    c.tx.clear();
    c.tx_off = 0;
    c.waiting_xon = false;
    if (e.how == Ending::How::HangUp) {
        c.in_data = false;
        if (at() && at()->in_data_mode()) at()->leave_data_mode();
        if (serial()) serial()->set_inbound_flow_control(false);
        // Most modems end the report with OK (or ERROR / NO CARRIER): take it first.
        if (at() && !at()->busy()) {
            const AtResponse r = co_await expect(kTrailingFinal);
            if (!c.lost && (r.result == AtResult::Vanished || r.result == AtResult::Garbage))
                modem_.set_unavailable(r.error);
            if (c.lost) co_return lost_end();
        }
    } else if (e.how == Ending::How::Abort) {
        if (e.outcome.pages_done == 0) e.outcome.pages_done = c.pages_done;
        trace("aborting: " + e.outcome.cause_text);
        modem_.cancel();
        if (at() && at()->in_data_mode()) at()->leave_data_mode();
        if (serial()) {
            serial()->set_inbound_flow_control(false);
            serial()->resume_output();
        }
        // End page data the modem is still taking, then stop the session.
        if (at() && c.in_data && c.outbound) {
            const std::uint8_t end[2] = {dle::DLE, dle::ETX};
            at()->send_data(end, 2);
        }
        c.in_data = false;
        const bool off_hook = c.connected || state_ == Class2State::Dialing ||
                              state_ == Class2State::Answering || state_ == Class2State::InCall;
        if (at() && off_hook) {
            const AtResponse r =
                co_await command(std::string("AT") + class2_names(variant_).abort, seconds(10));
            if (!c.lost && (r.result == AtResult::Vanished || r.result == AtResult::Garbage))
                modem_.set_unavailable(r.error);
            if (c.lost) co_return lost_end();
            if (r.result == AtResult::Extra && at()) co_await expect(kTrailingFinal);
            if (c.lost) co_return lost_end();
        }
    }
    co_await hang_up_modem(e.outcome);
}

// ATH: the modem is back to idle, or unavailable when it does not answer.
Task<> Class2Device::hang_up_modem(CallOutcome outcome) {
    Call& c = *call_;
    c.ending = true;
    c.deadline.reset();
    c.tx.clear();
    c.in_data = false;
    if (c.writer) c.writer->close();  // the received file is complete
    c.encoder.reset();
    state_ = Class2State::HangingUp;
    end_ = std::make_unique<CallEnd>();
    end_->outcome = outcome;
    if (!at()) {
        end_->modem_ok = false;
        end_->why = modem_.unavailable_reason().empty() ? name() + ": the modem is gone"
                                                        : modem_.unavailable_reason();
        co_return;
    }
    modem_.cancel();
    if (at()->in_data_mode()) at()->leave_data_mode();
    const AtResponse r = co_await command("ATH", kCommandTimeout);
    if (!r.answered()) {
        end_->modem_ok = false;
        end_->why = r.error.empty() ? name() + ": no answer to ATH" : r.error;
    }
}

void Class2Device::lost_end() {
    end_ = std::make_unique<CallEnd>();
    end_->lost = true;
    end_->outcome = call_->lost.value_or(CallOutcome{});
}

// The coroutine has stopped: report the end (the listener may start the next call).
void Class2Device::call_ended() {
    task_.reset();
    std::unique_ptr<CallEnd> end = std::move(end_);
    if (!end) {
        end = std::make_unique<CallEnd>();
        end->lost = true;
        end->outcome =
            line_outcome(Fps::FatalError, FailureClass::Protocol, name() + ": no outcome");
    }
    const CallOutcome& outcome = end->outcome;
    SessionEvent finished = event(SessionEvent::Kind::Finished);
    finished.cause = end->lost ? T30_ERR_CALLDROPPED : outcome.t30_cause;
    finished.cause_text = outcome.cause_text;
    std::unique_ptr<Call> call = std::move(call_);
    stop_.reset();
    if (end->lost) {
        state_ = Class2State::Ready;
        if (call->writer) call->writer->close();
        if (call->connected) report(finished);
        if (listener_) listener_->on_call_ended(outcome);
        return;
    }
    if (end->modem_ok) {
        state_ = Class2State::Ready;
        modem_.back_to_idle();
    }
    if (call->connected) report(finished);
    trace("call ended: " + outcome.cause_text);
    if (!end->modem_ok) modem_.set_unavailable(end->why);
    if (listener_) listener_->on_call_ended(outcome);
}

void Class2Device::hangup() {
    switch (state_) {
        case Class2State::Ringing:
            state_ = Class2State::Ready;
            if (listener_)
                listener_->on_call_ended(
                    line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
            return;
        case Class2State::Dialing:
        case Class2State::Answering:
        case Class2State::InCall:
            if (call_) stop(abort(Fps::Aborting, FailureClass::Aborted, "hung up"));
            return;
        default:
            return;
    }
}

}  // namespace faxemu
