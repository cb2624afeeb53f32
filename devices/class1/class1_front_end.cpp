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

// --- Class1FrontEnd -------------------------------------------------------------

Class1FrontEnd::Class1FrontEnd(AtChannel& at, const Clock& clock, Class1CallConfig config,
                               T30Session::EventSink sink)
    : at_(at), clock_(clock), config_(std::move(config)), alive_(std::make_shared<bool>(true)) {
    t30_ =
        t30_init(nullptr, config_.calling_party ? TRUE : FALSE, &Class1FrontEnd::on_set_rx_type,
                 this, &Class1FrontEnd::on_set_tx_type, this, &Class1FrontEnd::on_send_hdlc, this);
    if (t30_ == nullptr) throw std::runtime_error("spandsp: t30_init failed");
    ecm_rx_ = hdlc_rx_init(nullptr, FALSE, FALSE, 5, &Class1FrontEnd::on_ecm_frame, this);
    session_ = std::make_unique<T30Session>(t30_, config_.direction, config_.session, config_.file,
                                            std::move(sink), config_.first_page, config_.last_page);
}

Class1FrontEnd::~Class1FrontEnd() {
    alive_.reset();
    if (op_ != Op::Idle) {
        if (at_.in_data_mode()) at_.leave_data_mode();
        at_.cancel();
    }
    session_.reset();
    t30_free(t30_);  // closes the TIFF: a received file is complete after this
    hdlc_rx_free(ecm_rx_);
}

// T.30's requests, recorded; carried out by pump().
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
    if (config_.calling_party) {
        // ATD's CONNECT: the modem heard V.21 flags and behaves as after +FRH=3.
        op_ = Op::FrhConnect;
        frh_connected();
    } else {
        // ATA's CONNECT: CED is done and the modem waits for HDLC frames (+FTH=3).
        hdlc_tx_connected_ = true;
        last_tx_v21_ = true;
    }
    pump();
}

void Class1FrontEnd::poll() {
    if (!started_) return;
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
    if (op_ == Op::FrmData && now - last_data_ > kDataSilence) {
        modem_error_ = "no data from the modem for " +
                       std::to_string(kDataSilence.count() / 1'000'000) + " s during +FRM";
        start_abort();
        if (rx_.hdlc)
            t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_DOWN, TRUE);
        else
            t30_non_ecm_put_bit(t30_, SIG_STATUS_CARRIER_DOWN);
    }
    if (op_ == Op::FtmDelay && now >= delay_until_) ftm_connected();
    flush_tx();
    pump();
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
    const Op was = op_;
    if (!modem_alive || was == Op::Idle) {
        if (at_.in_data_mode()) at_.leave_data_mode();
        at_.cancel();
        op_ = Op::Idle;
    } else if (was == Op::FthConnect || was == Op::FthFrame || was == Op::FtmConnect ||
               was == Op::FtmDelay || was == Op::FtmData || was == Op::FtmSending ||
               was == Op::FtmResult) {
        // The modem may be taking data: end it with DLE ETX, then wait for its result
        // (a modem in command mode ignores the pair).
        at_.cancel();
        op_ = Op::Aborting;
        send_bytes({dle::DLE, dle::ETX});
        expect(kResultTimeout, [this](const AtResponse&) { op_ = Op::Idle; });
    } else if (was != Op::Command && was != Op::Aborting) {
        start_abort();
    }
    at_.line().set_inbound_flow_control(false);
    session_->terminate();
}

void Class1FrontEnd::abort_modem() {
    if (op_ == Op::Idle || op_ == Op::Aborting) return;
    start_abort();
}

// --- the loop -------------------------------------------------------------------

void Class1FrontEnd::pump() {
    if (in_pump_) return;
    in_pump_ = true;
    for (int guard = 0; guard < 100000; ++guard) {
        if (step_completes_ > 0 && !lost_) {
            --step_completes_;
            t30_front_end_status(t30_, T30_FRONT_END_SEND_STEP_COMPLETE);
            continue;
        }
        if (!advance()) break;
    }
    flush_tx();
    in_pump_ = false;
}

bool Class1FrontEnd::tx_wanted() const {
    if (tx_.type == T30_MODEM_V21) return !frames_.empty();
    return !tx_done_ && (is_fast(tx_.type) || tx_.type == T30_MODEM_PAUSE);
}

bool Class1FrontEnd::rx_op() const {
    return op_ == Op::FrhConnect || op_ == Op::FrmConnect || op_ == Op::FrhData ||
           op_ == Op::FrmData;
}

bool Class1FrontEnd::rx_op_matches() const {
    if (op_ == Op::FrhConnect || op_ == Op::FrhData)
        return rx_.type == T30_MODEM_V21 || (is_fast(rx_.type) && v21_instead_) ||
               (is_fast(rx_.type) && op_ == Op::FrhData);
    return is_fast(rx_.type) && rx_.type == op_type_.type && rx_.bit_rate == op_type_.bit_rate &&
           rx_.hdlc == op_type_.hdlc;
}

bool Class1FrontEnd::advance() {
    if (lost_ || !started_ || session_->finished()) return false;
    if (op_ != Op::Idle) {
        // A receive T.30 no longer wants (it has something to send, or listens for
        // another modulation): stop it. A frame already arriving is let finish.
        if ((op_ == Op::FrhConnect || op_ == Op::FrmConnect || op_ == Op::FrmData) &&
            (tx_wanted() || !rx_op_matches())) {
            start_abort();
            return false;
        }
        if (op_ == Op::FtmData && !frames_.empty()) {
            std::vector<std::uint8_t> f = std::move(frames_.front());
            frames_.pop_front();
            if (f.empty()) {
                ecm_tx_.flags(2);
                ecm_tx_.align();
                std::vector<std::uint8_t> bits = ecm_tx_.take();
                if (config_.quirks.bit_order == BitOrder::Reversed)
                    for (auto& b : bits) b = reverse_bits(b);
                ecm_tx_bytes_ += bits.size();
                queue_tx(dle_stuff(bits, true));
                tx_data_bytes_ = ecm_tx_bytes_;
                op_ = Op::FtmSending;
                flush_tx();
                return false;
            }
            ecm_tx_.frame(f.data(), f.size());
            std::vector<std::uint8_t> bits = ecm_tx_.take();
            if (config_.quirks.bit_order == BitOrder::Reversed)
                for (auto& b : bits) b = reverse_bits(b);
            ecm_tx_bytes_ += bits.size();
            queue_tx(dle_stuff(bits, false));
            ++step_completes_;  // T.30 hands over the next frame
            return true;
        }
        return false;
    }
    // The modem is idle.
    if (tx_wanted()) {
        switch (tx_.type) {
            case T30_MODEM_V21:
                if (frames_.front().empty()) {
                    frames_.pop_front();
                    ++step_completes_;  // the final frame's OK already ended the carrier
                    return true;
                }
                if (!hdlc_tx_connected_ && heard_since_tx_ &&
                    config_.quirks.rx_switch_silence > 0) {
                    // T.30 wants 75 +- 20 ms between what we heard and our answer;
                    // a host that answers at once can start before the far end
                    // listens (HylaFAX's Class1SwitchingCmd). +FTS, not +FRS: a
                    // noisy line may never sound silent.
                    heard_since_tx_ = false;
                    op_ = Op::Command;
                    command("AT+FTS=" + std::to_string(config_.quirks.rx_switch_silence),
                            kCommandTimeout, [this](const AtResponse& r) {
                                op_ = Op::Idle;
                                if (!r.answered()) return modem_failed(r, "AT+FTS");
                                pump();
                            });
                    return false;
                }
                if (!hdlc_tx_connected_)
                    start_fth();
                else
                    send_next_frame();
                return false;
            case T30_MODEM_PAUSE:
                start_pause(tx_.short_train);
                return false;
            default:
                if (last_tx_v21_ && config_.quirks.tx_switch_silence > 0 && !pre_tx_silence_done_) {
                    // T.30: 75 +- 20 ms between the end of DCS and the start of TCF.
                    pre_tx_silence_done_ = true;
                    op_ = Op::Command;
                    command("AT+FTS=" + std::to_string(config_.quirks.tx_switch_silence),
                            kCommandTimeout, [this](const AtResponse& r) {
                                op_ = Op::Idle;
                                if (!r.answered()) return modem_failed(r, "AT+FTS");
                                pump();
                            });
                    return false;
                }
                start_ftm();
                return false;
        }
    }
    if (clock_.now() < retry_at_) return false;
    if (rx_.type == T30_MODEM_V21) {
        start_frh();
        return false;
    }
    if (is_fast(rx_.type)) {
        if (v21_instead_) {
            start_frh();
            return false;
        }
        if (config_.quirks.frs_before_data > 0 && !frs_done_) {
            frs_done_ = true;
            op_ = Op::Command;
            command("AT+FRS=" + std::to_string(config_.quirks.frs_before_data), kCommandTimeout,
                    [this](const AtResponse& r) {
                        op_ = Op::Idle;
                        if (!r.answered()) return modem_failed(r, "AT+FRS");
                        pump();
                    });
            return false;
        }
        start_frm();
        return false;
    }
    return false;
}

// --- AT plumbing ----------------------------------------------------------------

void Class1FrontEnd::trace(TraceEvent::Kind kind, const std::string& text) {
    if (trace_) trace_(TraceEvent{kind, text});
}

void Class1FrontEnd::command(const std::string& cmd, Duration timeout,
                             std::function<void(const AtResponse&)> done) {
    std::weak_ptr<bool> alive = alive_;
    trace(TraceEvent::Kind::Command, cmd);
    at_.command(cmd, timeout, [this, alive, done = std::move(done)](const AtResponse& r) {
        if (alive.expired()) return;
        trace(TraceEvent::Kind::Result, r.final_line);
        done(r);
    });
}

void Class1FrontEnd::expect(Duration timeout, std::function<void(const AtResponse&)> done) {
    std::weak_ptr<bool> alive = alive_;
    at_.expect(timeout, [this, alive, done = std::move(done)](const AtResponse& r) {
        if (alive.expired()) return;
        trace(TraceEvent::Kind::Result, r.final_line);
        done(r);
    });
}

void Class1FrontEnd::send_bytes(const std::vector<std::uint8_t>& bytes) {
    at_.send_data(bytes);
}

void Class1FrontEnd::modem_failed(const AtResponse& r, const std::string& during) {
    std::string why = r.error.empty() ? during + ": " + to_string(r.result) : r.error;
    if (modem_error_.empty()) modem_error_ = why;
    end_call(why, false);
}

// --- V.21 HDLC transmit ---------------------------------------------------------

void Class1FrontEnd::start_fth() {
    heard_since_tx_ = false;
    op_ = Op::FthConnect;
    command("AT+FTH=3", kCommandTimeout, [this](const AtResponse& r) {
        op_ = Op::Idle;
        if (r.result == AtResult::Connect) {
            hdlc_tx_connected_ = true;
            at_.line().set_inbound_flow_control(true);
            pump();
            return;
        }
        if (!r.answered()) return modem_failed(r, "AT+FTH=3");
        line_lost("the modem answered " + r.final_line + " to AT+FTH=3");
    });
}

void Class1FrontEnd::send_next_frame() {
    std::vector<std::uint8_t> frame = std::move(frames_.front());
    frames_.pop_front();
    std::vector<std::uint8_t> out = dle_stuff(frame, true);
    op_ = Op::FthFrame;
    last_tx_v21_ = true;
    pre_tx_silence_done_ = false;
    trace(TraceEvent::Kind::Command, "frame");
    send_bytes(out);
    // V.21 is 300 bit/s: the frame (with flags and FCS) must go out before the answer.
    const Duration timeout = kResultTimeout + at_bit_rate(frame.size() + 8, 300) * 2;
    expect(timeout, [this](const AtResponse& r) {
        op_ = Op::Idle;
        if (r.result == AtResult::Connect) {
            ++step_completes_;
            pump();
            return;
        }
        if (r.result == AtResult::Ok) {
            hdlc_tx_connected_ = false;
            at_.line().set_inbound_flow_control(false);
            ++step_completes_;
            pump();
            return;
        }
        hdlc_tx_connected_ = false;
        at_.line().set_inbound_flow_control(false);
        if (!r.answered()) return modem_failed(r, "sending a V.21 frame");
        line_lost("the modem answered " + r.final_line + " to a V.21 frame");
    });
}

// --- V.21 HDLC receive ----------------------------------------------------------

void Class1FrontEnd::start_frh() {
    op_ = Op::FrhConnect;
    command("AT+FRH=3", kReceiveTimeout, [this](const AtResponse& r) {
        if (op_ != Op::FrhConnect) return;
        if (r.result == AtResult::Connect) {
            frh_connected();
            pump();
            return;
        }
        op_ = Op::Idle;
        if (!r.answered()) return modem_failed(r, "AT+FRH=3");
        if (r.result == AtResult::Error) {
            // A modem that refuses to listen is not in a call any more.
            if (++rx_failures_ >= 3)
                return line_lost("the modem answers ERROR to AT+FRH=3 (no call?)");
        }
        // NO CARRIER: nothing heard; try again on the next tick (T.30 times out).
        retry_at_ = clock_.now() + std::chrono::milliseconds(1);
        pump();
    });
}

void Class1FrontEnd::frh_connected() {
    op_ = Op::FrhData;
    op_type_ = ModemType{T30_MODEM_V21, 300, 0, true};
    rx_failures_ = 0;
    rx_frame_.clear();
    last_heard_ = clock_.now();
    // CONNECT means flags were heard: V.21 carrier up, framing found.
    t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_UP, TRUE);
    t30_hdlc_accept(t30_, nullptr, SIG_STATUS_FRAMING_OK, TRUE);
    DataSink sink;
    sink.dle.tolerate_undoubled_dle = config_.quirks.dle_bug;
    std::weak_ptr<bool> alive = alive_;
    sink.data = [this, alive](const std::uint8_t* data, std::size_t n) {
        if (alive.expired() || op_ != Op::FrhData) return;
        rx_frame_.insert(rx_frame_.end(), data, data + n);
        if (config_.quirks.rh_connect_bug && !rx_frame_.empty() && rx_frame_[0] != 0xFF) {
            // Class1HasRHConnectBug: CONNECT and at once NO CARRIER, no frame.
            std::string text(rx_frame_.begin(), rx_frame_.end());
            if (text.find("NO CARRIER") != std::string::npos) {
                ++bogus_connects_;
                at_.leave_data_mode();
                op_ = Op::Idle;
                rx_frame_.clear();
                pump();
            }
        }
    };
    sink.end = [this, alive] {
        if (alive.expired() || op_ != Op::FrhData) return;
        frh_frame_ended();
    };
    at_.enter_data_mode(std::move(sink));
}

void Class1FrontEnd::frh_frame_ended() {
    op_ = Op::FrhResult;
    expect(kResultTimeout, [this](const AtResponse& r) { frh_result(r); });
}

void Class1FrontEnd::frh_result(const AtResponse& r) {
    op_ = Op::Idle;
    if (!r.answered()) return modem_failed(r, "receiving a V.21 frame");
    const bool ok = r.result == AtResult::Ok;
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
    pump();
}

// --- fast transmit (TCF, pages, ECM) -----------------------------------------------

void Class1FrontEnd::start_ftm() {
    const int code = class1_modulation(tx_.type, tx_.bit_rate, tx_.short_train != 0);
    op_ = Op::FtmConnect;
    op_type_ = tx_;
    command("AT+FTM=" + std::to_string(code), kCommandTimeout, [this, code](const AtResponse& r) {
        op_ = Op::Idle;
        if (r.result == AtResult::Connect) {
            last_tx_v21_ = false;
            pre_tx_silence_done_ = false;
            at_.line().set_inbound_flow_control(true);
            if (config_.quirks.tm_connect_delay > Duration::zero()) {
                op_ = Op::FtmDelay;
                delay_until_ = clock_.now() + config_.quirks.tm_connect_delay;
                return;
            }
            ftm_connected();
            pump();
            return;
        }
        if (!r.answered()) return modem_failed(r, "AT+FTM=" + std::to_string(code));
        line_lost("the modem answered " + r.final_line + " to AT+FTM=" + std::to_string(code));
    });
}

void Class1FrontEnd::ftm_connected() {
    if (op_type_.hdlc) {
        op_ = Op::FtmData;
        ecm_tx_bytes_ = 0;
        tx_out_.clear();
        tx_out_pos_ = 0;
        // A preamble of flags (about 100 ms) ahead of the first frame.
        ecm_tx_.flags(std::max(4, op_type_.bit_rate / 80));
        std::vector<std::uint8_t> bits = ecm_tx_.take();
        if (config_.quirks.bit_order == BitOrder::Reversed)
            for (auto& b : bits) b = reverse_bits(b);
        ecm_tx_bytes_ += bits.size();
        queue_tx(dle_stuff(bits, false));
        flush_tx();
        pump();
        return;
    }
    ftm_send_non_ecm();
}

void Class1FrontEnd::ftm_send_non_ecm() {
    std::vector<std::uint8_t> data;
    std::uint8_t buf[4096];
    for (;;) {
        const int n = t30_non_ecm_get_chunk(t30_, buf, sizeof buf);
        if (n <= 0) break;
        data.insert(data.end(), buf, buf + n);
    }
    if (config_.quirks.bit_order == BitOrder::Reversed)
        for (auto& b : data) b = reverse_bits(b);
    trace(TraceEvent::Kind::Command, "data");
    queue_tx(dle_stuff(data, true));
    tx_data_bytes_ = data.size();
    op_ = Op::FtmSending;
    flush_tx();
}

void Class1FrontEnd::queue_tx(const std::vector<std::uint8_t>& stuffed) {
    tx_out_.insert(tx_out_.end(), stuffed.begin(), stuffed.end());
}

void Class1FrontEnd::flush_tx() {
    if (op_ != Op::FtmData && op_ != Op::FtmSending) return;
    SerialLine& line = at_.line();
    // About 100 ms of data at the modem's rate, at least 256 bytes.
    const std::size_t window =
        std::max<std::size_t>(256, static_cast<std::size_t>(op_type_.bit_rate) / 80);
    if (!line.output_paused() && line.pending_write_bytes() < window &&
        tx_out_pos_ < tx_out_.size()) {
        const std::size_t n =
            std::min(window - line.pending_write_bytes(), tx_out_.size() - tx_out_pos_);
        line.write(tx_out_.data() + tx_out_pos_, n);
        tx_out_pos_ += n;
    }
    if (tx_out_pos_ == tx_out_.size()) {
        tx_out_.clear();
        tx_out_pos_ = 0;
        if (op_ == Op::FtmSending) ftm_finish(tx_data_bytes_);
    }
}

void Class1FrontEnd::ftm_finish(std::size_t data_bytes) {
    op_ = Op::FtmResult;
    const Duration timeout = kResultTimeout + at_bit_rate(data_bytes, op_type_.bit_rate) * 2;
    expect(timeout, [this](const AtResponse& r) {
        op_ = Op::Idle;
        at_.line().set_inbound_flow_control(false);
        if (r.result == AtResult::Ok) {
            tx_done_ = true;
            ++step_completes_;
            pump();
            return;
        }
        if (!r.answered()) return modem_failed(r, "sending fast data");
        line_lost("the modem answered " + r.final_line + " after fast data");
    });
}

// --- fast receive (TCF, pages, ECM) ------------------------------------------------

void Class1FrontEnd::start_frm() {
    const int code = class1_modulation(rx_.type, rx_.bit_rate, rx_.short_train != 0);
    heard_since_tx_ = true;
    op_ = Op::FrmConnect;
    op_type_ = rx_;
    command("AT+FRM=" + std::to_string(code), kReceiveTimeout, [this](const AtResponse& r) {
        if (op_ != Op::FrmConnect) return;
        if (r.result == AtResult::Connect) {
            frm_connected();
            pump();
            return;
        }
        op_ = Op::Idle;
        if (!r.answered()) return modem_failed(r, "AT+FRM");
        if (r.result == AtResult::FcError) {
            // Wrong carrier: V.21 is on the line (the tail of a frame, or a command
            // repeated because our answer was lost).
            ++fcerrors_;
            if (++fcerror_count_ > config_.quirks.fcerror_retries) v21_instead_ = true;
            frs_done_ = false;
        } else if (r.result == AtResult::Error) {
            if (++rx_failures_ >= 3)
                return line_lost("the modem answers ERROR to AT+FRM (no call?)");
            retry_at_ = clock_.now() + std::chrono::milliseconds(1);
        } else {
            retry_at_ = clock_.now() + std::chrono::milliseconds(1);
        }
        pump();
    });
}

void Class1FrontEnd::frm_connected() {
    op_ = Op::FrmData;
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
    std::weak_ptr<bool> alive = alive_;
    sink.data = [this, alive](const std::uint8_t* data, std::size_t n) {
        if (alive.expired() || op_ != Op::FrmData) return;
        frm_data(data, n);
    };
    sink.end = [this, alive] {
        if (alive.expired() || op_ != Op::FrmData) return;
        op_ = Op::FrmResult;
        expect(kResultTimeout, [this](const AtResponse& r) { frm_ended(&r); });
    };
    at_.enter_data_mode(std::move(sink));
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

void Class1FrontEnd::frm_ended(const AtResponse* r) {
    op_ = Op::Idle;
    if (r && !r->answered()) return modem_failed(*r, "receiving fast data");
    if (op_type_.hdlc)
        t30_hdlc_accept(t30_, nullptr, SIG_STATUS_CARRIER_DOWN, TRUE);
    else
        t30_non_ecm_put_bit(t30_, SIG_STATUS_CARRIER_DOWN);
    pump();
}

// --- silences and aborts --------------------------------------------------------

void Class1FrontEnd::start_pause(int ms) {
    const int n = std::clamp(ms / 10, 1, 255);
    op_ = Op::Command;
    command("AT+FTS=" + std::to_string(n),
            kCommandTimeout + std::chrono::milliseconds(static_cast<std::int64_t>(n) * 10),
            [this](const AtResponse& r) {
                op_ = Op::Idle;
                tx_done_ = true;
                ++step_completes_;
                if (!r.answered()) return modem_failed(r, "AT+FTS");
                pump();
            });
}

void Class1FrontEnd::start_abort() {
    if (at_.in_data_mode()) at_.leave_data_mode();
    at_.cancel();
    op_ = Op::Aborting;
    trace(TraceEvent::Kind::Command, "abort");
    send_bytes({kCan});
    expect(kResultTimeout, [this](const AtResponse& r) {
        op_ = Op::Idle;
        if (!r.answered()) return modem_failed(r, "aborting a receive");
        pump();
    });
}

}  // namespace faxemu
