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
      modem_(io, clock, config_, *this, line_options(config_)),
      alive_(std::make_shared<bool>(true)) {}

Class2Device::~Class2Device() {
    alive_.reset();
    call_.reset();
}

std::string Class2Device::name() const {
    return modem_.name();
}

void Class2Device::trace(const std::string& text) const {
    modem_.trace(text);
}

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

void Class2Device::on_line_error(const std::string& message) {
    modem_.set_unavailable(message);
}

void Class2Device::on_unavailable(const std::string& why) {
    state_ = Class2State::Ready;
    if (!call_) return;
    CallOutcome o = line_outcome(Fps::FatalError, FailureClass::LineDropped,
                                 "the modem went away during the call: " + why);
    o.pages_done = call_->pages_done;
    SessionEvent finished = event(SessionEvent::Kind::Finished);
    finished.cause = T30_ERR_CALLDROPPED;
    finished.cause_text = o.cause_text;
    auto call = std::move(call_);
    if (call->writer) call->writer->close();
    if (call->connected) report(finished);
    if (listener_) listener_->on_call_ended(o);
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
        hung_up(after_colon(l));
    }
}

void Class2Device::poll() {
    std::weak_ptr<bool> alive = alive_;
    if (!modem_.poll() || alive.expired()) return;
    const TimePoint now = clock_.now();
    if (call_ && !call_->ending && call_->deadline && now >= *call_->deadline) {
        call_->deadline.reset();
        CallOutcome o = line_outcome(Fps::FatalError, FailureClass::Protocol,
                                     name() + ": " + call_->deadline_what);
        abort_call(o);
        return;
    }
    if (call_ && call_->in_data && !call_->waiting_xon) feed_page_data();
}

// --- AT helpers ----------------------------------------------------------------------

void Class2Device::command(const std::string& cmd, Duration timeout, Handler done) {
    modem_.command(cmd, timeout, std::move(done));
}

void Class2Device::expect(Duration timeout, Handler done) {
    modem_.expect(timeout, std::move(done));
}

void Class2Device::absorb_lines(const AtResponse& r) {
    if (!call_) return;
    const Class2Names& n = class2_names(variant_);
    for (const std::string& l : r.lines) {
        if (starts_with(l, n.con)) {
            if (!call_->connected) {
                call_->connected = true;
                state_ = Class2State::InCall;
                if (listener_) listener_->on_connected();
                if (!call_) return;
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
                    if (!call_) return;
                }
            }
        } else if (starts_with(l, "+FET:")) {
            call_->fet = int_after_colon(l);
        }
    }
}

bool Class2Device::call_response(const AtResponse& r, const char* what) {
    if (!call_ || call_->ending) return false;
    absorb_lines(r);
    if (!call_ || call_->ending) return false;
    switch (r.result) {
        case AtResult::Extra:
            hung_up(after_colon(r.final_line));
            return false;
        case AtResult::Timeout: {
            // A modem that stops answering is what the port shows (as Class 1's
            // does); the device finds it unavailable and retries it.
            CallOutcome o = line_outcome(Fps::Unavailable, FailureClass::Protocol,
                                         name() + ": no answer from the modem to " + what);
            abort_call(o);
            return false;
        }
        case AtResult::Garbage:
        case AtResult::Vanished:
            on_line_error(r.error.empty() ? name() + ": the modem failed during " + what : r.error);
            return false;
        default:
            return true;
    }
}

Class2Params Class2Device::caps(const SessionConfig& s) const {
    Class2Params p;
    p.vr = 1;
    p.br = (s.modems & static_cast<int>(Modem::V17))   ? 5
           : (s.modems & static_cast<int>(Modem::V29)) ? 3
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
    try {
        call_->encoder =
            std::make_unique<T4PageEncoder>(call.document, call.first_page, call.last_page);
        call_->pages_total = call_->encoder->page_count();
    } catch (const FaxError& e) {
        CallOutcome o = outcome_from_t30(T30_ERR_FILEERROR, 0);
        o.cause_text = e.what();
        finish_call(o);
        return;
    }
    modem_.when_free([this] { dial_next(0); });
}

void Class2Device::dial_next(std::size_t step) {
    if (!call_ || call_->ending) return;
    const Class2Names& n = class2_names(variant_);
    switch (step) {
        case 0:
            command(std::string("AT") + n.lid + "=\"" + call_->out.session.local_ident + "\"",
                    kCommandTimeout, [this](const AtResponse& r) {
                        if (call_response(r, "the local id")) dial_next(1);
                    });
            return;
        case 1: {
            // The session for the call; with the quirk, already the first page's.
            Class2Params p = call_->offered;
            if (config_.quirks.session_before_dial) {
                const T4SourcePage& first = call_->encoder->page(0);
                p.vr = first.vr;
                p.wd = std::max(0, wd_of_width(first.width));
            }
            command(std::string("AT") + n.dis + "=" + format_class2_params(p, variant_),
                    kCommandTimeout, [this, p](const AtResponse& r) {
                        if (!call_response(r, "the session parameters")) return;
                        if (r.ok()) call_->dis_set = p;
                        dial_next(2);
                    });
            return;
        }
        default:
            command(
                config_.dial_command + call_->out.number, config_.dial_timeout,
                [this](const AtResponse& r) {
                    if (!call_response(r, "ATD")) return;
                    switch (r.result) {
                        case AtResult::Ok:
                            if (!call_->connected) {
                                call_->connected = true;
                                if (listener_) listener_->on_connected();
                                if (!call_) return;
                            }
                            state_ = Class2State::InCall;
                            send_page();
                            return;
                        case AtResult::Busy:
                            finish_call(line_outcome(Fps::Busy, FailureClass::Busy, "line busy"));
                            return;
                        case AtResult::NoAnswer:
                            finish_call(
                                line_outcome(Fps::NoAnswer, FailureClass::NoAnswer, "no answer"));
                            return;
                        case AtResult::NoDialtone:
                            finish_call(line_outcome(Fps::NoDialTone, FailureClass::NoAnswer,
                                                     "no dial tone"));
                            return;
                        case AtResult::NoCarrier:
                            finish_call(line_outcome(Fps::NoAnswer, FailureClass::NoCarrier,
                                                     "no fax answered (NO CARRIER)"));
                            return;
                        case AtResult::Connect:
                            abort_call(
                                line_outcome(Fps::NotFaxCall, FailureClass::NoCarrier,
                                             "a data modem answered (" + r.final_line + ")"));
                            return;
                        default:
                            finish_call(line_outcome(
                                Fps::FatalError, FailureClass::Protocol,
                                name() + ": the modem answered " + r.final_line + " to ATD"));
                            return;
                    }
                });
            return;
    }
}

void Class2Device::send_page() {
    if (!call_ || call_->ending) return;
    Call& c = *call_;
    if (!c.resend && !c.encoder->more()) {
        wait_final_hangup();
        return;
    }
    const T4SourcePage info = c.resend ? c.page_info : c.encoder->next_page_info();
    if (c.remote_dis && info.vr > c.remote_dis->vr) {
        CallOutcome o = outcome_from_t30(T30_ERR_NORESSUPPORT, c.pages_done);
        o.cause_text = "the far end cannot receive page " + std::to_string(c.pages_done + 1) +
                       "'s resolution (vr=" + std::to_string(info.vr) + ")";
        abort_call(o);
        return;
    }
    Class2Params wanted = c.dis_set.value_or(c.offered);
    wanted.vr = info.vr;
    wanted.wd = std::max(0, wd_of_width(info.width));
    const Class2Names& n = class2_names(variant_);
    auto fdt = [this] {
        command("AT+FDT", config_.phase_b_timeout,
                [this](const AtResponse& r) { page_connect(r); });
    };
    if (c.dis_set && c.dis_set->vr == wanted.vr && c.dis_set->wd == wanted.wd) {
        fdt();
        return;
    }
    command(std::string("AT") + n.dis + "=" + format_class2_params(wanted, variant_),
            kCommandTimeout, [this, wanted, fdt](const AtResponse& r) {
                if (!call_response(r, "the page's session parameters")) return;
                if (!r.ok()) {
                    abort_call(line_outcome(Fps::FatalError, FailureClass::Protocol,
                                            name() + ": the modem refused the session " +
                                                format_class2_params(wanted, variant_)));
                    return;
                }
                call_->dis_set = wanted;
                fdt();
            });
}

void Class2Device::page_connect(const AtResponse& r) {
    if (!call_response(r, "+FDT")) return;
    Call& c = *call_;
    if (r.result != AtResult::Connect) {
        abort_call(line_outcome(Fps::FatalError, FailureClass::Protocol,
                                name() + ": the modem answered " + r.final_line + " to +FDT"));
        return;
    }
    // The modem now takes page data until <DLE><ETX> (or <DLE>'.' ...), even to abort.
    c.in_data = true;
    if (!c.session) c.session = c.dis_set.value_or(c.offered);
    const Class2Params s = *c.session;
    const T4SourcePage info = c.resend ? c.page_info : c.encoder->next_page_info();
    report_negotiated();
    if (!call_) return;
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
        abort_call(o);
        return;
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
            abort_call(o);
            return;
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
    c.in_data = true;
    c.pts.reset();
    trace("page " + std::to_string(c.pages_done + 1) + ": " + std::to_string(c.page.size()) +
          " bytes, session " + format_class2_params(s, variant_));
    const bool wait_xon = config_.quirks.wait_for_xon.value_or(variant_ == Class2Variant::Class2);
    if (!wait_xon) {
        start_page_data();
        return;
    }
    // The modem sends XON (DC1) when it is ready for data; it may already be in the
    // bytes that followed CONNECT.
    c.waiting_xon = true;
    c.raw_text.clear();
    c.deadline = clock_.now() + config_.xon_timeout;
    c.deadline_what =
        "no XON from the modem within " + seconds_of(config_.xon_timeout) + " after +FDT's CONNECT";
    DataSink sink;
    sink.raw = true;
    std::weak_ptr<bool> alive = alive_;
    sink.data = [this, alive](const std::uint8_t* data, std::size_t n) {
        if (alive.expired() || !call_ || !call_->waiting_xon) return;
        for (std::size_t i = 0; i < n; ++i) {
            if (data[i] == dle::DC1) {
                call_->waiting_xon = false;
                at()->leave_data_mode();
                trace("<- XON");
                start_page_data();
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
                    hung_up(after_colon(l));
                    return;
                }
            } else if (call_->raw_text.size() < 256) {
                call_->raw_text.push_back(ch);
            }
        }
    };
    at()->enter_data_mode(std::move(sink));
}

void Class2Device::start_page_data() {
    if (!call_ || call_->ending) return;
    Call& c = *call_;
    c.deadline.reset();
    if (config_.quirks.flow_control == FlowControl::XonXoff)
        serial()->set_inbound_flow_control(true);
    const int rate = std::max(2400, bit_rate_of_br(c.session ? c.session->br : 0));
    const auto on_line =
        std::chrono::milliseconds(static_cast<std::int64_t>(c.page.size()) * 8 * 1000 / rate);
    const Duration timeout = config_.page_timeout + 3 * on_line;
    c.awaiting_pts = variant_ == Class2Variant::Class20;
    expect(timeout, [this](const AtResponse& r) { page_data_sent(r); });
    feed_page_data();
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

void Class2Device::page_data_sent(const AtResponse& r) {
    // Unanswered, the modem may still be taking data: an abort ends it first.
    if (call_ && r.answered()) {
        call_->in_data = false;
        call_->tx.clear();
        call_->tx_off = 0;
    }
    if (serial()) serial()->set_inbound_flow_control(false);
    if (variant_ == Class2Variant::Class20) {
        page_status(r);
        return;
    }
    if (!call_response(r, "the page data")) return;
    if (r.result != AtResult::Ok) {
        abort_call(
            line_outcome(Fps::FatalError, FailureClass::Protocol,
                         name() + ": the modem answered " + r.final_line + " to the page data"));
        return;
    }
    const int rate = std::max(2400, bit_rate_of_br(call_->session ? call_->session->br : 0));
    const auto on_line =
        std::chrono::milliseconds(static_cast<std::int64_t>(call_->page.size()) * 8 * 1000 / rate);
    call_->awaiting_pts = true;
    command("AT+FET=" + std::to_string(call_->ppm), config_.page_timeout + 3 * on_line,
            [this](const AtResponse& rr) { page_status(rr); });
}

void Class2Device::page_status(const AtResponse& r) {
    if (!call_response(r, "the post-page message")) return;
    Call& c = *call_;
    c.awaiting_pts = false;
    const int pts = c.pts.value_or(r.ok() ? 1 : 2);
    if (pts == 2 || pts == 4) {
        // RTN / PIN: the far end wants the page again (after retraining).
        if (c.tries >= kMaxPageTries) {
            CallOutcome o = outcome_from_t30(T30_ERR_TX_INVALRSP, c.pages_done);
            o.cause_text = "page " + std::to_string(c.pages_done + 1) + " was rejected " +
                           std::to_string(c.tries) + " times (" + class2_names(variant_).r_pts +
                           std::to_string(pts) + ")";
            abort_call(o);
            return;
        }
        trace("page " + std::to_string(c.pages_done + 1) + " rejected, sending it again");
        c.resend = true;
        send_page();
        return;
    }
    if (r.result != AtResult::Ok && r.result != AtResult::Error) {
        abort_call(
            line_outcome(Fps::FatalError, FailureClass::Protocol,
                         name() + ": the modem answered " + r.final_line + " after the page"));
        return;
    }
    send_page();
}

void Class2Device::wait_final_hangup() {
    expect(kFinalHangupWait, [this](const AtResponse& r) {
        if (!call_ || call_->ending) return;
        absorb_lines(r);
        if (!call_ || call_->ending) return;
        if (r.result == AtResult::Extra) {
            hung_up(after_colon(r.final_line));
            return;
        }
        if (r.result == AtResult::Garbage || r.result == AtResult::Vanished) {
            on_line_error(r.error);
            return;
        }
        // No hang-up report: the pages count, whatever the modem does next.
        const bool all =
            call_->outbound ? call_->pages_done >= call_->pages_total : call_->last_page;
        if (all) {
            finish_call(outcome_from_t30(T30_ERR_OK, call_->pages_done));
        } else {
            CallOutcome o = line_outcome(Fps::FatalError, FailureClass::Protocol,
                                         name() + ": the modem reported no hang-up");
            o.pages_done = call_->pages_done;
            abort_call(o);
        }
    });
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
    try {
        call_->writer = std::make_unique<T4PageWriter>(call.rx_file);
    } catch (const FaxError& e) {
        CallOutcome o = outcome_from_t30(T30_ERR_FILEERROR, 0);
        o.cause_text = e.what();
        finish_call(o);
        return;
    }
    modem_.when_free([this] { answer_next(0); });
}

void Class2Device::answer_next(std::size_t step) {
    if (!call_ || call_->ending) return;
    const Class2Names& n = class2_names(variant_);
    switch (step) {
        case 0:
            command(std::string("AT") + n.lid + "=\"" + call_->in.session.local_ident + "\"",
                    kCommandTimeout, [this](const AtResponse& r) {
                        if (call_response(r, "the local id")) answer_next(1);
                    });
            return;
        case 1:
            command(
                std::string("AT") + n.dis + "=" + format_class2_params(call_->offered, variant_),
                kCommandTimeout, [this](const AtResponse& r) {
                    if (call_response(r, "the session parameters")) answer_next(2);
                });
            return;
        default:
            command("ATA", config_.answer_timeout, [this](const AtResponse& r) {
                if (!call_response(r, "ATA")) return;
                switch (r.result) {
                    case AtResult::Ok:
                        if (!call_->connected) {
                            call_->connected = true;
                            if (listener_) listener_->on_connected();
                            if (!call_) return;
                        }
                        state_ = Class2State::InCall;
                        if (call_->writer) call_->writer->set_far_ident(call_->remote_id);
                        report_negotiated();
                        if (!call_) return;
                        receive_page();
                        return;
                    case AtResult::NoCarrier:
                        finish_call(line_outcome(Fps::NotFaxCall, FailureClass::NoCarrier,
                                                 "no fax machine called (NO CARRIER)"));
                        return;
                    case AtResult::Connect:
                        abort_call(line_outcome(Fps::NotFaxCall, FailureClass::NoCarrier,
                                                "a data modem called (" + r.final_line + ")"));
                        return;
                    default:
                        finish_call(line_outcome(
                            Fps::FatalError, FailureClass::Protocol,
                            name() + ": the modem answered " + r.final_line + " to ATA"));
                        return;
                }
            });
            return;
    }
}

void Class2Device::receive_page() {
    if (!call_ || call_->ending) return;
    call_->fet.reset();
    call_->pts.reset();
    command("AT+FDR", config_.receive_timeout, [this](const AtResponse& r) { receive_connect(r); });
}

void Class2Device::receive_connect(const AtResponse& r) {
    if (!call_response(r, "+FDR")) return;
    Call& c = *call_;
    if (r.result == AtResult::Ok) {
        // No page and no hang-up report yet: the report follows.
        wait_final_hangup();
        return;
    }
    if (r.result != AtResult::Connect) {
        abort_call(line_outcome(Fps::FatalError, FailureClass::Protocol,
                                name() + ": the modem answered " + r.final_line + " to +FDR"));
        return;
    }
    if (!c.session) {
        abort_call(line_outcome(Fps::FatalError, FailureClass::Protocol,
                                name() + ": page data without a session (+FDCS)"));
        return;
    }
    report_negotiated();
    if (!call_) return;
    const Class2Params s = *c.session;
    try {
        c.writer->start_page(s.df, s.vr, width_of_wd(s.wd), rx_order());
    } catch (const FaxError& e) {
        CallOutcome o = line_outcome(Fps::FatalError, FailureClass::Incompatible, e.what());
        o.pages_done = c.pages_done;
        abort_call(o);
        return;
    }
    c.deadline = clock_.now() + config_.receive_timeout;
    c.deadline_what = "no page data from the modem for " + seconds_of(config_.receive_timeout);
    DataSink sink;
    sink.dle.sub_is_two_dles = variant_ == Class2Variant::Class20;
    std::weak_ptr<bool> alive = alive_;
    sink.data = [this, alive](const std::uint8_t* data, std::size_t n) {
        if (alive.expired() || !call_ || !call_->writer) return;
        call_->writer->put(data, n);
        call_->deadline = clock_.now() + config_.receive_timeout;
    };
    sink.end = [this, alive] {
        if (!alive.expired()) receive_page_end();
    };
    at()->enter_data_mode(std::move(sink));
    const std::uint8_t trigger =
        config_.quirks.rx_trigger ? config_.quirks.rx_trigger : class2_names(variant_).rx_trigger;
    trace(trigger == dle::DC1 ? "-> DC1" : "-> DC2");
    at()->send_data(&trigger, 1);
}

void Class2Device::receive_page_end() {
    if (!call_ || call_->ending) return;
    call_->deadline.reset();
    call_->rx_page = call_->writer->end_page();
    trace("page " + std::to_string(call_->pages_done + 1) +
          " received: " + std::to_string(call_->rx_page.rows) + " rows, " +
          std::to_string(call_->rx_page.bad_rows) + " bad");
    expect(kFinalHangupWait, [this](const AtResponse& r) { receive_page_status(r); });
}

void Class2Device::receive_page_status(const AtResponse& r) {
    // The page is in the file whatever comes next.
    if (call_ && !call_->ending) {
        absorb_lines(r);
        if (!call_ || call_->ending) return;
        ++call_->pages_done;
        call_->last_page = !call_->fet || *call_->fet == 2 || *call_->fet == 5;
        SessionEvent ev = event(SessionEvent::Kind::PageDone);
        ev.last_page = call_->last_page;
        report(ev);
    }
    if (!call_response(r, "the end of the page")) return;
    const T4ReceivedPage& p = call_->rx_page;
    const bool good = p.rows > 0 && p.bad_rows <= config_.max_bad_row_share * p.rows;
    command(std::string("AT") + class2_names(variant_).pts + "=" + (good ? "1" : "2"),
            kCommandTimeout, [this](const AtResponse& rr) {
                if (call_response(rr, "the page status")) receive_page();
            });
}

// --- ending ------------------------------------------------------------------------------

void Class2Device::hung_up(const std::string& code_text) {
    if (!call_ || call_->ending) return;
    const std::string code = unquote_id(code_text);
    Call& c = *call_;
    CallOutcome o = hangup_outcome(variant_, code, c.pages_done);
    if (o.ok() && c.outbound && c.pages_done < c.pages_total) {
        o = outcome_from_t30(T30_ERR_TX_PHDDEAD, c.pages_done);
        o.cause_text = "the modem ended the call after " + std::to_string(c.pages_done) + " of " +
                       std::to_string(c.pages_total) + " pages (" + class2_names(variant_).r_hng +
                       code + ")";
    }
    trace("hang-up: " + o.cause_text);
    c.ending = true;
    c.in_data = false;
    c.tx.clear();
    c.deadline.reset();
    if (at() && at()->in_data_mode()) at()->leave_data_mode();
    if (serial()) serial()->set_inbound_flow_control(false);
    // Most modems end the report with OK (or ERROR / NO CARRIER): take it first.
    if (at() && !at()->busy()) {
        expect(kTrailingFinal, [this, o](const AtResponse& r) {
            if (r.result == AtResult::Vanished || r.result == AtResult::Garbage) {
                on_line_error(r.error);
                return;
            }
            finish_call(o);
        });
    } else {
        finish_call(o);
    }
}

void Class2Device::abort_call(CallOutcome outcome) {
    if (!call_ || call_->ending) return;
    Call& c = *call_;
    if (outcome.pages_done == 0) outcome.pages_done = c.pages_done;
    trace("aborting: " + outcome.cause_text);
    c.ending = true;
    c.deadline.reset();
    c.tx.clear();
    c.waiting_xon = false;
    modem_.cancel();
    if (at() && at()->in_data_mode()) at()->leave_data_mode();
    if (serial()) {
        serial()->set_inbound_flow_control(false);
        serial()->resume_output();
    }
    if (!at()) {
        finish_call(outcome);
        return;
    }
    // End page data the modem is still taking, then stop the session.
    if (c.in_data && c.outbound) {
        const std::uint8_t end[2] = {dle::DLE, dle::ETX};
        at()->send_data(end, 2);
    }
    c.in_data = false;
    const bool off_hook = c.connected || state_ == Class2State::Dialing ||
                          state_ == Class2State::Answering || state_ == Class2State::InCall;
    if (!off_hook) {
        finish_call(outcome);
        return;
    }
    command(std::string("AT") + class2_names(variant_).abort, seconds(10),
            [this, outcome](const AtResponse& r) {
                if (r.result == AtResult::Vanished || r.result == AtResult::Garbage) {
                    on_line_error(r.error);
                    return;
                }
                if (r.result == AtResult::Extra && at()) {
                    expect(kTrailingFinal,
                           [this, outcome](const AtResponse&) { finish_call(outcome); });
                    return;
                }
                finish_call(outcome);
            });
}

void Class2Device::finish_call(CallOutcome outcome) {
    if (!call_) return;
    call_->ending = true;
    call_->deadline.reset();
    call_->tx.clear();
    call_->in_data = false;
    if (call_->writer) call_->writer->close();  // the received file is complete
    call_->encoder.reset();
    state_ = Class2State::HangingUp;
    auto end = [this, outcome](bool modem_ok, const std::string& why) {
        if (!call_) return;
        SessionEvent finished = event(SessionEvent::Kind::Finished);
        finished.cause = outcome.t30_cause;
        finished.cause_text = outcome.cause_text;
        auto call = std::move(call_);
        if (modem_ok) {
            state_ = Class2State::Ready;
            modem_.back_to_idle();
        }
        if (call->connected) report(finished);
        trace("call ended: " + outcome.cause_text);
        if (!modem_ok) modem_.set_unavailable(why);
        if (listener_) listener_->on_call_ended(outcome);
    };
    if (!at()) {
        end(false, modem_.unavailable_reason().empty() ? name() + ": the modem is gone"
                                                       : modem_.unavailable_reason());
        return;
    }
    modem_.cancel();
    if (at()->in_data_mode()) at()->leave_data_mode();
    command("ATH", kCommandTimeout, [end, this](const AtResponse& r) {
        if (!r.answered())
            end(false, r.error.empty() ? name() + ": no answer to ATH" : r.error);
        else
            end(true, {});
    });
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
            if (call_) abort_call(line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
            return;
        default:
            return;
    }
}

}  // namespace faxemu
