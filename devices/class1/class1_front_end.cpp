#include "devices/class1/class1_front_end.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

#include "core/bit_reversal.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/dle.hpp"
#include "devices/serial/serial_line.hpp"

namespace faxemu {

namespace {

constexpr std::uint8_t kCan = 0x18;  // aborts +FRH/+FRM (T.31: any character does)
constexpr Duration kCommandTimeout = std::chrono::seconds(5);
// +FRH/+FRM wait for a carrier; T.30's timers decide when to give up, this only
// catches a modem that stopped answering.
constexpr Duration kReceiveTimeout = std::chrono::seconds(90);
constexpr Duration kResultTimeout = std::chrono::seconds(5);
// Fast data flows without a break while the carrier is up; a silent modem mid-page
// is a dead line or a dead modem (T.30 runs no timer during a non-ECM page).
constexpr Duration kDataSilence = std::chrono::seconds(6);

bool is_fast(int type) {
    return type == T30_MODEM_V27TER || type == T30_MODEM_V29 || type == T30_MODEM_V17;
}

Duration at_bit_rate(std::size_t bytes, int bit_rate) {
    if (bit_rate <= 0) bit_rate = 2400;
    return std::chrono::microseconds(static_cast<std::int64_t>(bytes) * 8 * 1'000'000 / bit_rate);
}

}  // namespace

int class1_modulation(int t30_modem, int bit_rate, bool short_train) {
    switch (t30_modem) {
        case T30_MODEM_V21:
            return 3;
        case T30_MODEM_V27TER:
            return bit_rate >= 4800 ? 48 : 24;
        case T30_MODEM_V29:
            return bit_rate >= 9600 ? 96 : 72;
        case T30_MODEM_V17:
            switch (bit_rate) {
                case 7200:
                    return short_train ? 74 : 73;
                case 9600:
                    return short_train ? 98 : 97;
                case 12000:
                    return short_train ? 122 : 121;
                default:
                    return short_train ? 146 : 145;
            }
        default:
            return 0;
    }
}

// --- HdlcBitEncoder -------------------------------------------------------------

void HdlcBitEncoder::raw_octet(std::uint8_t octet) {
    for (int i = 0; i < 8; ++i) {
        current_ |= static_cast<std::uint8_t>(((octet >> i) & 1) << bits_);
        if (++bits_ == 8) {
            out_.push_back(current_);
            current_ = 0;
            bits_ = 0;
        }
    }
    ones_ = 0;
}

void HdlcBitEncoder::bit(int b) {
    current_ |= static_cast<std::uint8_t>((b & 1) << bits_);
    if (++bits_ == 8) {
        out_.push_back(current_);
        current_ = 0;
        bits_ = 0;
    }
    if (b) {
        if (++ones_ == 5) {  // zero-bit insertion keeps data from looking like a flag
            ones_ = 0;
            bit(0);
        }
    } else {
        ones_ = 0;
    }
}

void HdlcBitEncoder::flags(int count) {
    for (int i = 0; i < count; ++i) raw_octet(0x7E);
}

void HdlcBitEncoder::frame(const std::uint8_t* data, std::size_t n) {
    std::vector<std::uint8_t> buf(data, data + n);
    buf.resize(n + 2);
    crc_itu16_append(buf.data(), static_cast<int>(n));
    for (std::uint8_t octet : buf)
        for (int i = 0; i < 8; ++i) bit((octet >> i) & 1);
    ones_ = 0;
    raw_octet(0x7E);  // closing flag (also opens the next frame)
}

void HdlcBitEncoder::align() {
    // Flag bits until the octet ends: 0 1 1 1 1 1 1 0 repeated.
    static const int pattern[8] = {0, 1, 1, 1, 1, 1, 1, 0};
    int i = 0;
    while (bits_ != 0) {
        current_ |= static_cast<std::uint8_t>(pattern[i++ % 8] << bits_);
        if (++bits_ == 8) {
            out_.push_back(current_);
            current_ = 0;
            bits_ = 0;
        }
    }
}

std::vector<std::uint8_t> HdlcBitEncoder::take() {
    std::vector<std::uint8_t> out;
    out.swap(out_);
    return out;
}

// --- Class1FrontEnd: waiting ------------------------------------------------------

// A wait for poll() or the data sink to wake the call; false when it was cut short
// (cut_ says why).
class Class1FrontEnd::Pause {
  public:
    Pause(Class1FrontEnd& fe, Activity activity, bool on_tick)
        : fe_(fe), activity_(activity), on_tick_(on_tick) {}
    ~Pause() { fe_.unpark(handle_); }
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle) {
        if (fe_.cut_at_once(activity_)) return false;
        handle_ = handle;
        fe_.park(handle, activity_, on_tick_, false);
        return true;
    }
    bool await_resume() {
        fe_.parked_.reset();
        return fe_.cut_ == Cut::None;
    }

  private:
    Class1FrontEnd& fe_;
    Activity activity_;
    bool on_tick_;
    std::coroutine_handle<> handle_;
};

// An AT exchange; nothing when it was cut short (the request is then withdrawn and
// cut_ says why).
class Class1FrontEnd::Exchange {
  public:
    Exchange(Class1FrontEnd& fe, Activity activity, AtRequest request)
        : fe_(fe), activity_(activity), command_(fe.at_, std::move(request)) {}
    ~Exchange() { fe_.unpark(handle_); }
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle) {
        if (fe_.cut_at_once(activity_)) return false;
        handle_ = handle;
        fe_.park(handle, activity_, false, true);
        if (!command_.request().command.empty())
            fe_.trace(TraceEvent::Kind::Command, command_.request().command);
        try {
            command_.await_suspend(handle);
        } catch (...) {
            fe_.parked_.reset();
            throw;
        }
        return true;
    }
    std::optional<AtResponse> await_resume() {
        fe_.parked_.reset();
        if (fe_.cut_ != Cut::None) return std::nullopt;
        AtResponse r = command_.await_resume();
        fe_.trace(TraceEvent::Kind::Result, r.final_line);
        return r;
    }

  private:
    Class1FrontEnd& fe_;
    Activity activity_;
    AtChannel::Command command_;
    std::coroutine_handle<> handle_;
};

Class1FrontEnd::Pause Class1FrontEnd::pause(Activity activity, bool on_tick) {
    return Pause(*this, activity, on_tick);
}

Class1FrontEnd::Exchange Class1FrontEnd::exchange(Activity activity, std::string command,
                                                  Duration timeout) {
    return Exchange(*this, activity, at_request(std::move(command), timeout));
}

Class1FrontEnd::Exchange Class1FrontEnd::expect(Activity activity, Duration timeout) {
    return Exchange(*this, activity, at_request({}, timeout));
}

bool Class1FrontEnd::cut_by(Activity activity, Cut why) {
    switch (why) {
        case Cut::Lost:  // what the modem does is stopped; a pending +FTS/abort runs out
            return activity != Activity::Command && activity != Activity::Aborting;
        case Cut::Abort:  // the modem is stopped, whatever it does
            return activity != Activity::Idle && activity != Activity::Aborting;
        case Cut::Unwanted:  // a receive T.30 no longer wants; a frame arriving may finish
            return activity == Activity::Listen || activity == Activity::FastData;
        case Cut::Silent:
            return activity == Activity::FastData;
        case Cut::None:
            break;
    }
    return false;
}

// A wait begun after the call was lost (from inside T.30's events) ends at once.
bool Class1FrontEnd::cut_at_once(Activity activity) {
    if (!lost_ || !cut_by(activity, Cut::Lost)) return false;
    cut_ = Cut::Lost;
    return true;
}

void Class1FrontEnd::park(std::coroutine_handle<> handle, Activity activity, bool on_tick,
                          bool on_command) {
    cut_ = Cut::None;
    parked_ = Parked{handle, activity, on_tick, on_command};
}

// A wait left early (its coroutine dropped) is nothing to resume any more.
void Class1FrontEnd::unpark(std::coroutine_handle<> handle) {
    if (handle && parked_ && parked_->handle == handle) parked_.reset();
}

void Class1FrontEnd::cut(Cut why) {
    const Parked p = *parked_;
    if (p.on_command) at_.cancel();
    cut_ = why;
    p.handle.resume();
}

void Class1FrontEnd::wake() {
    if (parked_ && !parked_->on_command) parked_->handle.resume();
}

// --- Class1FrontEnd: the owner's side ---------------------------------------------

Class1FrontEnd::Class1FrontEnd(AtChannel& at, const Clock& clock, Class1CallConfig config,
                               T30Session::EventSink sink)
    : at_(at), clock_(clock), config_(std::move(config)) {
    t30_ =
        t30_init(nullptr, config_.calling_party ? TRUE : FALSE, &Class1FrontEnd::on_set_rx_type,
                 this, &Class1FrontEnd::on_set_tx_type, this, &Class1FrontEnd::on_send_hdlc, this);
    if (t30_ == nullptr) throw std::runtime_error("spandsp: t30_init failed");
    ecm_rx_ = hdlc_rx_init(nullptr, FALSE, FALSE, 5, &Class1FrontEnd::on_ecm_frame, this);
    session_ = std::make_unique<T30Session>(t30_, config_.direction, config_.session, config_.file,
                                            std::move(sink), config_.first_page, config_.last_page);
}

Class1FrontEnd::~Class1FrontEnd() {
    if (!modem_idle() && at_.in_data_mode()) at_.leave_data_mode();
    parked_.reset();
    call_.reset();  // withdraws the request the call waits for
    session_.reset();
    t30_free(t30_);  // closes the TIFF: a received file is complete after this
    hdlc_rx_free(ecm_rx_);
}

// T.30's requests, recorded; carried out by the call.
void Class1FrontEnd::on_set_rx_type(void* user, int type, int bit_rate, int short_train, int hdlc) {
    auto* self = static_cast<Class1FrontEnd*>(user);
    self->rx_ = ModemType{type, bit_rate, short_train, hdlc != 0};
    if (is_fast(type)) {
        self->fcerror_count_ = 0;
        self->v21_instead_ = false;
        self->frs_done_ = false;
    }
}

void Class1FrontEnd::on_set_tx_type(void* user, int type, int bit_rate, int short_train, int hdlc) {
    auto* self = static_cast<Class1FrontEnd*>(user);
    self->tx_ = ModemType{type, bit_rate, short_train, hdlc != 0};
    switch (type) {
        case T30_MODEM_CED:
            // The modem sends CED itself on ATA; it is over when ATA's CONNECT comes.
            self->tx_done_ = true;
            ++self->step_completes_;
            break;
        case T30_MODEM_PAUSE:
            self->tx_done_ = false;
            break;
        default:
            self->tx_done_ = !is_fast(type);
            break;
    }
}

void Class1FrontEnd::on_send_hdlc(void* user, const std::uint8_t* msg, int len) {
    auto* self = static_cast<Class1FrontEnd*>(user);
    if (len <= 0 || msg == nullptr)
        self->frames_.emplace_back();  // end of the sequence
    else
        self->frames_.emplace_back(msg, msg + len);
}

void Class1FrontEnd::on_ecm_frame(void* user, const std::uint8_t* msg, int len, int ok) {
    auto* self = static_cast<Class1FrontEnd*>(user);
    // Carrier and training are reported from the modem's results, not the framer.
    if (len < 0 && len != SIG_STATUS_FRAMING_OK) return;
    t30_hdlc_accept(self->t30_, msg, len, ok);
}

void Class1FrontEnd::start() {
    started_ = true;
    last_tick_ = clock_.now();
    last_heard_ = last_tick_;
    call_ = call();
    call_.start([this] {
        try {
            call_.result();
        } catch (...) {
            failure_ = std::current_exception();
        }
        call_.reset();  // the call is over; its frame goes now
    });
}

void Class1FrontEnd::poll() {
    if (!started_) return;
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    const TimePoint now = clock_.now();
    std::int64_t us =
        std::chrono::duration_cast<std::chrono::microseconds>(now - last_tick_).count() +
        tick_remainder_us_;
    last_tick_ = now;
    if (us < 0) us = 0;
    const std::int64_t samples = us / 125;  // 8 samples per ms
    tick_remainder_us_ = us % 125;
    if (samples > 0 && !session_->finished())
        t30_timer_update(t30_, static_cast<int>(std::min<std::int64_t>(samples, 1 << 30)));
    if (!parked_) return;
    if (parked_->activity == Activity::FastData && now - last_data_ > kDataSilence) {
        modem_error_ = "no data from the modem for " +
                       std::to_string(kDataSilence.count() / 1'000'000) + " s during +FRM";
        return cut(Cut::Silent);
    }
    if (cut_by(parked_->activity, Cut::Unwanted) && !lost_ && !session_->finished() &&
        !still_wanted())
        return cut(Cut::Unwanted);
    if (parked_->on_tick) wake();
}

bool Class1FrontEnd::finished() const {
    return session_->finished();
}

void Class1FrontEnd::line_lost(const std::string& why) {
    end_call(why, true);
}

void Class1FrontEnd::end_call(const std::string& why, bool modem_alive) {
    if (lost_) return;
    lost_ = true;
    if (modem_error_.empty()) modem_error_ = why;
    tx_out_.clear();
    tx_out_pos_ = 0;
    if (!modem_alive) {
        if (at_.in_data_mode()) at_.leave_data_mode();
        at_.cancel();
    } else if (parked_ && cut_by(parked_->activity, Cut::Lost)) {
        cut(Cut::Lost);  // the call stops the modem and ends
    }
    at_.line().set_inbound_flow_control(false);
    session_->terminate();
}

void Class1FrontEnd::abort_modem() {
    if (parked_ && cut_by(parked_->activity, Cut::Abort)) cut(Cut::Abort);
}

// --- the call -------------------------------------------------------------------

Task<> Class1FrontEnd::call() {
    if (config_.calling_party) {
        // ATD's CONNECT: the modem heard V.21 flags and behaves as after +FRH=3.
        op_type_ = ModemType{T30_MODEM_V21, 300, 0, true};
        co_await receive_frame();
    } else {
        // ATA's CONNECT: CED is done and the modem waits for HDLC frames (+FTH=3).
        hdlc_tx_connected_ = true;
        last_tx_v21_ = true;
    }
    while (deliver_step_completes()) {
        if (tx_wanted()) {
            if (tx_.type == T30_MODEM_V21)
                co_await transmit_v21();
            else if (tx_.type == T30_MODEM_PAUSE)
                co_await pause_line(tx_.short_train);
            else
                co_await transmit_fast();
        } else if (rx_wanted() && clock_.now() >= retry_at_) {
            if (rx_.type == T30_MODEM_V21 || v21_instead_)
                co_await listen_v21();
            else
                co_await listen_fast();
        } else {
            const bool woken = co_await pause(Activity::Idle, true);
            if (!woken) co_await recover(Activity::Idle);
        }
    }
}

// Tells T.30 that what it asked to send has gone; false once the call is over.
bool Class1FrontEnd::deliver_step_completes() {
    while (step_completes_ > 0 && !lost_) {
        --step_completes_;
        t30_front_end_status(t30_, T30_FRONT_END_SEND_STEP_COMPLETE);
    }
    return !lost_ && !session_->finished();
}

bool Class1FrontEnd::tx_wanted() const {
    if (tx_.type == T30_MODEM_V21) return !frames_.empty();
    return !tx_done_ && (is_fast(tx_.type) || tx_.type == T30_MODEM_PAUSE);
}

bool Class1FrontEnd::rx_wanted() const {
    return rx_.type == T30_MODEM_V21 || is_fast(rx_.type);
}

// The receive the modem listens for (op_type_) is still what T.30 wants.
bool Class1FrontEnd::still_wanted() const {
    if (tx_wanted()) return false;
    if (op_type_.type == T30_MODEM_V21)
        return rx_.type == T30_MODEM_V21 || (is_fast(rx_.type) && v21_instead_);
    return is_fast(rx_.type) && rx_.type == op_type_.type && rx_.bit_rate == op_type_.bit_rate &&
           rx_.hdlc == op_type_.hdlc;
}

// A wait was cut short: stop what the modem was doing.
Task<> Class1FrontEnd::recover(Activity was) {
    const Cut why = std::exchange(cut_, Cut::None);
    if (why == Cut::Lost && was == Activity::Idle) co_return;
    if (why == Cut::Lost && was == Activity::Transmit) {
        // The modem may be taking data: end it with DLE ETX, then wait for its result
        // (a modem in command mode ignores the pair).
        send_bytes({dle::DLE, dle::ETX});
        co_await expect(Activity::Aborting, kResultTimeout);
        co_return;
    }
    co_await abort_receive(why == Cut::Silent);
}

Task<> Class1FrontEnd::abort_receive(bool silent) {
    if (at_.in_data_mode()) at_.leave_data_mode();
    trace(TraceEvent::Kind::Command, "abort");
    send_bytes({kCan});
    if (silent) carrier_down();
    const std::optional<AtResponse> r = co_await expect(Activity::Aborting, kResultTimeout);
    if (r && !r->answered()) modem_failed(*r, "aborting a receive");
}

// --- AT plumbing ----------------------------------------------------------------

void Class1FrontEnd::trace(TraceEvent::Kind kind, const std::string& text) {
    if (trace_) trace_(TraceEvent{kind, text});
}

void Class1FrontEnd::send_bytes(const std::vector<std::uint8_t>& bytes) {
    at_.send_data(bytes);
}

void Class1FrontEnd::modem_failed(const AtResponse& r, const std::string& during) {
    std::string why = r.error.empty() ? during + ": " + to_string(r.result) : r.error;
    if (modem_error_.empty()) modem_error_ = why;
    end_call(why, false);
}

// +FTS / +FRS before what follows; false when the call cannot go on.
Task<bool> Class1FrontEnd::silence(std::string command, const char* what) {
    const std::optional<AtResponse> r =
        co_await exchange(Activity::Command, std::move(command), kCommandTimeout);
    if (!r) {
        co_await recover(Activity::Command);
        co_return false;
    }
    if (!r->answered()) {
        modem_failed(*r, what);
        co_return false;
    }
    co_return true;
}

Task<> Class1FrontEnd::pause_line(int ms) {
    const int n = std::clamp(ms / 10, 1, 255);
    const std::optional<AtResponse> r =
        co_await exchange(Activity::Command, "AT+FTS=" + std::to_string(n),
                          kCommandTimeout + std::chrono::milliseconds(n * 10));
    if (!r) {
        co_await recover(Activity::Command);
        co_return;
    }
    tx_done_ = true;
    ++step_completes_;
    if (!r->answered()) modem_failed(*r, "AT+FTS");
}

// --- V.21 HDLC transmit ---------------------------------------------------------

Task<> Class1FrontEnd::transmit_v21() {
    if (frames_.front().empty()) {
        frames_.pop_front();
        ++step_completes_;  // the final frame's OK already ended the carrier
        co_return;
    }
    if (!hdlc_tx_connected_ && heard_since_tx_ && config_.quirks.rx_switch_silence > 0) {
        // T.30 wants 75 +- 20 ms between what we heard and our answer; a host that
        // answers at once can start before the far end listens (HylaFAX's
        // Class1SwitchingCmd). +FTS, not +FRS: a noisy line may never sound silent.
        heard_since_tx_ = false;
        co_await silence("AT+FTS=" + std::to_string(config_.quirks.rx_switch_silence), "AT+FTS");
        co_return;
    }
    if (!hdlc_tx_connected_) {
        heard_since_tx_ = false;
        const std::optional<AtResponse> r =
            co_await exchange(Activity::Transmit, "AT+FTH=3", kCommandTimeout);
        if (!r) {
            co_await recover(Activity::Transmit);
        } else if (r->result == AtResult::Connect) {
            hdlc_tx_connected_ = true;
            at_.line().set_inbound_flow_control(true);
        } else if (!r->answered()) {
            modem_failed(*r, "AT+FTH=3");
        } else {
            line_lost("the modem answered " + r->final_line + " to AT+FTH=3");
        }
        co_return;
    }
    std::vector<std::uint8_t> frame = std::move(frames_.front());
    frames_.pop_front();
    last_tx_v21_ = true;
    pre_tx_silence_done_ = false;
    trace(TraceEvent::Kind::Command, "frame");
    send_bytes(dle_stuff(frame, true));
    // V.21 is 300 bit/s: the frame (with flags and FCS) must go out before the answer.
    const std::optional<AtResponse> r = co_await expect(
        Activity::Transmit, kResultTimeout + at_bit_rate(frame.size() + 8, 300) * 2);
    if (!r) {
        co_await recover(Activity::Transmit);
        co_return;
    }
    if (r->result == AtResult::Connect) {  // more frames follow
        ++step_completes_;
        co_return;
    }
    hdlc_tx_connected_ = false;
    at_.line().set_inbound_flow_control(false);
    if (r->result == AtResult::Ok)
        ++step_completes_;
    else if (!r->answered())
        modem_failed(*r, "sending a V.21 frame");
    else
        line_lost("the modem answered " + r->final_line + " to a V.21 frame");
}

// --- V.21 HDLC receive ----------------------------------------------------------

Task<> Class1FrontEnd::listen_v21() {
    op_type_ = ModemType{T30_MODEM_V21, 300, 0, true};
    const std::optional<AtResponse> r =
        co_await exchange(Activity::Listen, "AT+FRH=3", kReceiveTimeout);
    if (!r) {
        co_await recover(Activity::Listen);
    } else if (r->result == AtResult::Connect) {
        co_await receive_frame();
    } else if (!r->answered()) {
        modem_failed(*r, "AT+FRH=3");
    } else if (r->result == AtResult::Error && ++rx_failures_ >= 3) {
        // A modem that refuses to listen is not in a call any more.
        line_lost("the modem answers ERROR to AT+FRH=3 (no call?)");
    } else {
        // NO CARRIER: nothing heard; try again on the next tick (T.30 times out).
        retry_at_ = clock_.now() + std::chrono::milliseconds(1);
    }
}

// After +FRH=3's CONNECT: the frame, its FCS, DLE ETX, then OK or ERROR.
Task<> Class1FrontEnd::receive_frame() {
    rx_failures_ = 0;
    rx_frame_.clear();
    rx_bogus_ = false;
    last_heard_ = clock_.now();
    // CONNECT means flags were heard: V.21 carrier up, framing found.
    t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_UP, TRUE);
    t30_hdlc_accept(t30_, nullptr, SIG_STATUS_FRAMING_OK, TRUE);
    DataSink sink;
    sink.dle.tolerate_undoubled_dle = config_.quirks.dle_bug;
    sink.data = [this](const std::uint8_t* data, std::size_t n) {
        rx_frame_.insert(rx_frame_.end(), data, data + n);
        if (config_.quirks.rh_connect_bug && !rx_frame_.empty() && rx_frame_[0] != 0xFF &&
            std::string(rx_frame_.begin(), rx_frame_.end()).find("NO CARRIER") !=
                std::string::npos) {
            // Class1HasRHConnectBug: CONNECT and at once NO CARRIER, no frame.
            ++bogus_connects_;
            at_.leave_data_mode();
            rx_frame_.clear();
            rx_bogus_ = true;
            wake();
        }
    };
    sink.end = [this] { wake(); };
    if (!lost_) at_.enter_data_mode(std::move(sink));
    const bool ended = co_await pause(Activity::Frame, false);
    if (!ended) {
        co_await recover(Activity::Frame);
        co_return;
    }
    if (rx_bogus_) co_return;  // listen again
    const std::optional<AtResponse> r = co_await expect(Activity::Frame, kResultTimeout);
    if (!r) {
        co_await recover(Activity::Frame);
    } else if (!r->answered()) {
        modem_failed(*r, "receiving a V.21 frame");
    } else {
        frame_received(r->result == AtResult::Ok);
    }
}

void Class1FrontEnd::frame_received(bool ok) {
    // The modem passes the two FCS octets after the frame.
    std::vector<std::uint8_t> frame = rx_frame_;
    if (frame.size() >= 2) frame.resize(frame.size() - 2);
    ++frames_received_;
    if (std::find(frame.begin(), frame.end(), dle::DLE) != frame.end()) ++frames_with_dle_;
    const bool final = frame.size() >= 2 && frame[1] == 0x13;
    const bool more = frame.size() >= 2 && frame[1] == 0x03;
    if (!frame.empty()) t30_hdlc_accept(t30_, frame.data(), static_cast<int>(frame.size()), ok);
    if (lost_) return;
    // After the final frame (or a bad one that was not followed by more) the carrier is gone.
    if ((ok && final) || (!ok && !more) || frame.empty())
        t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_DOWN, TRUE);
}

// --- fast transmit (TCF, pages, ECM) -----------------------------------------------

Task<> Class1FrontEnd::transmit_fast() {
    if (last_tx_v21_ && config_.quirks.tx_switch_silence > 0 && !pre_tx_silence_done_) {
        // T.30: 75 +- 20 ms between the end of DCS and the start of TCF.
        pre_tx_silence_done_ = true;
        co_await silence("AT+FTS=" + std::to_string(config_.quirks.tx_switch_silence), "AT+FTS");
        co_return;
    }
    const std::string ftm =
        "AT+FTM=" + std::to_string(class1_modulation(tx_.type, tx_.bit_rate, tx_.short_train != 0));
    op_type_ = tx_;
    const std::optional<AtResponse> r = co_await exchange(Activity::Transmit, ftm, kCommandTimeout);
    if (!r) {
        co_await recover(Activity::Transmit);
        co_return;
    }
    if (r->result != AtResult::Connect) {
        if (!r->answered())
            modem_failed(*r, ftm);
        else
            line_lost("the modem answered " + r->final_line + " to " + ftm);
        co_return;
    }
    last_tx_v21_ = false;
    pre_tx_silence_done_ = false;
    at_.line().set_inbound_flow_control(true);
    const TimePoint data_at = clock_.now() + config_.quirks.tm_connect_delay;
    bool going = true;
    while (going && clock_.now() < data_at) going = co_await pause(Activity::Transmit, true);
    std::size_t data_bytes = 0;
    if (going && op_type_.hdlc) {
        data_bytes = co_await send_ecm_frames();
        going = cut_ == Cut::None;
    } else if (going) {
        std::vector<std::uint8_t> data;
        std::uint8_t buf[4096];
        for (int n; (n = t30_non_ecm_get_chunk(t30_, buf, sizeof buf)) > 0;)
            data.insert(data.end(), buf, buf + n);
        if (config_.quirks.bit_order == BitOrder::Reversed)
            for (auto& b : data) b = reverse_bits(b);
        trace(TraceEvent::Kind::Command, "data");
        queue_tx(dle_stuff(data, true));
        data_bytes = data.size();
    }
    // The data goes to the line at the modem's pace (flush_tx), then its OK.
    while (going && (flush_tx(), !tx_drained())) going = co_await pause(Activity::Transmit, true);
    if (!going) {
        co_await recover(Activity::Transmit);
        co_return;
    }
    tx_out_.clear();
    tx_out_pos_ = 0;
    const std::optional<AtResponse> done = co_await expect(
        Activity::Transmit, kResultTimeout + at_bit_rate(data_bytes, op_type_.bit_rate) * 2);
    if (!done) {
        co_await recover(Activity::Transmit);
        co_return;
    }
    at_.line().set_inbound_flow_control(false);
    if (done->result == AtResult::Ok) {
        tx_done_ = true;
        ++step_completes_;
    } else if (!done->answered()) {
        modem_failed(*done, "sending fast data");
    } else {
        line_lost("the modem answered " + done->final_line + " after fast data");
    }
}

// ECM: HDLC framing here, each frame as T.30 hands it over, until the end of the
// sequence. Gives the bytes framed; a cut leaves cut_ set.
Task<std::size_t> Class1FrontEnd::send_ecm_frames() {
    ecm_tx_bytes_ = 0;
    tx_out_.clear();
    tx_out_pos_ = 0;
    // A preamble of flags (about 100 ms) ahead of the first frame.
    ecm_tx_.flags(std::max(4, op_type_.bit_rate / 80));
    queue_ecm_bits(false);
    for (;;) {
        flush_tx();
        if (!deliver_step_completes() || frames_.empty()) {
            const bool woken = co_await pause(Activity::Transmit, true);
            if (!woken) co_return ecm_tx_bytes_;
            continue;
        }
        std::vector<std::uint8_t> f = std::move(frames_.front());
        frames_.pop_front();
        if (f.empty()) break;
        ecm_tx_.frame(f.data(), f.size());
        queue_ecm_bits(false);
        ++step_completes_;  // T.30 hands over the next frame
    }
    ecm_tx_.flags(2);
    ecm_tx_.align();
    queue_ecm_bits(true);
    co_return ecm_tx_bytes_;
}

void Class1FrontEnd::queue_ecm_bits(bool final) {
    std::vector<std::uint8_t> bits = ecm_tx_.take();
    if (config_.quirks.bit_order == BitOrder::Reversed)
        for (auto& b : bits) b = reverse_bits(b);
    ecm_tx_bytes_ += bits.size();
    queue_tx(dle_stuff(bits, final));
}

void Class1FrontEnd::queue_tx(const std::vector<std::uint8_t>& stuffed) {
    tx_out_.insert(tx_out_.end(), stuffed.begin(), stuffed.end());
}

// Hands fast data to the line a window at a time, so that no more than that is on
// its way when the modem says XOFF.
void Class1FrontEnd::flush_tx() {
    SerialLine& line = at_.line();
    // About 100 ms of data at the modem's rate, at least 256 bytes.
    const std::size_t window =
        std::max<std::size_t>(256, static_cast<std::size_t>(op_type_.bit_rate) / 80);
    if (!line.output_paused() && line.pending_write_bytes() < window && !tx_drained()) {
        const std::size_t n =
            std::min(window - line.pending_write_bytes(), tx_out_.size() - tx_out_pos_);
        line.write(tx_out_.data() + tx_out_pos_, n);
        tx_out_pos_ += n;
    }
}

// --- fast receive (TCF, pages, ECM) ------------------------------------------------

Task<> Class1FrontEnd::listen_fast() {
    if (config_.quirks.frs_before_data > 0 && !frs_done_) {
        frs_done_ = true;
        co_await silence("AT+FRS=" + std::to_string(config_.quirks.frs_before_data), "AT+FRS");
        co_return;
    }
    const int code = class1_modulation(rx_.type, rx_.bit_rate, rx_.short_train != 0);
    heard_since_tx_ = true;
    op_type_ = rx_;
    const std::optional<AtResponse> r =
        co_await exchange(Activity::Listen, "AT+FRM=" + std::to_string(code), kReceiveTimeout);
    if (!r) {
        co_await recover(Activity::Listen);
    } else if (r->result == AtResult::Connect) {
        co_await receive_fast_data();
    } else if (!r->answered()) {
        modem_failed(*r, "AT+FRM");
    } else if (r->result == AtResult::FcError) {
        // Wrong carrier: V.21 is on the line (the tail of a frame, or a command
        // repeated because our answer was lost).
        ++fcerrors_;
        if (++fcerror_count_ > config_.quirks.fcerror_retries) v21_instead_ = true;
        frs_done_ = false;
    } else if (r->result == AtResult::Error && ++rx_failures_ >= 3) {
        line_lost("the modem answers ERROR to AT+FRM (no call?)");
    } else {
        retry_at_ = clock_.now() + std::chrono::milliseconds(1);
    }
}

// After +FRM's CONNECT: data until DLE ETX, then the modem's result.
Task<> Class1FrontEnd::receive_fast_data() {
    rx_failures_ = 0;
    fcerror_count_ = 0;
    last_data_ = clock_.now();
    last_heard_ = last_data_;
    if (op_type_.hdlc) {
        hdlc_rx_restart(ecm_rx_);
        t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_UP, TRUE);
        t30_hdlc_accept(t30_, nullptr, SIG_STATUS_TRAINING_SUCCEEDED, TRUE);
    } else {
        t30_non_ecm_put_bit(t30_, SIG_STATUS_CARRIER_UP);
        t30_non_ecm_put_bit(t30_, SIG_STATUS_TRAINING_SUCCEEDED);
    }
    DataSink sink;
    sink.data = [this](const std::uint8_t* data, std::size_t n) { frm_data(data, n); };
    sink.end = [this] { wake(); };
    if (!lost_) at_.enter_data_mode(std::move(sink));
    const bool ended = co_await pause(Activity::FastData, false);
    if (!ended) {
        co_await recover(Activity::FastData);
        co_return;
    }
    const std::optional<AtResponse> r = co_await expect(Activity::Frame, kResultTimeout);
    if (!r) {
        co_await recover(Activity::Frame);
    } else if (!r->answered()) {
        modem_failed(*r, "receiving fast data");
    } else {
        carrier_down();
    }
}

void Class1FrontEnd::frm_data(const std::uint8_t* data, std::size_t n) {
    last_data_ = clock_.now();
    last_heard_ = last_data_;
    std::vector<std::uint8_t> buf(data, data + n);
    if (config_.quirks.bit_order == BitOrder::Reversed)
        for (auto& b : buf) b = reverse_bits(b);
    if (op_type_.hdlc) {
        for (std::uint8_t b : buf)
            for (int i = 0; i < 8 && !lost_; ++i) hdlc_rx_put_bit(ecm_rx_, (b >> i) & 1);
    } else {
        t30_non_ecm_put_chunk(t30_, buf.data(), static_cast<int>(buf.size()));
    }
}

// The fast carrier is gone, as T.30 hears it.
void Class1FrontEnd::carrier_down() {
    if (op_type_.hdlc)
        t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_DOWN, TRUE);
    else
        t30_non_ecm_put_bit(t30_, SIG_STATUS_CARRIER_DOWN);
}

}  // namespace faxemu
