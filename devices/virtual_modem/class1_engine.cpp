#include "devices/virtual_modem/class1_engine.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <stdexcept>

// Internals only to read the AT interpreter's mode and profile (echo): whether
// host bytes are a command line or data, which 0.0.6 offers no getter for.
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

#include "core/bit_reversal.hpp"

namespace faxemu {

namespace {

constexpr std::uint8_t kDle = 0x10;
constexpr std::uint8_t kEtx = 0x03;
constexpr std::uint8_t kXon = 0x11;
constexpr std::uint8_t kXoff = 0x13;
constexpr int kBlock = 160;
constexpr std::size_t kFeedChunk = 256;  // at most this much per t31_at_rx, as CTS may drop
constexpr Duration kFcerrorWindow = std::chrono::milliseconds(200);
constexpr Duration kDropDelay = std::chrono::seconds(1);  // into the page carrier

// Time the training of a +FTM/+FRM modulation takes (T.31 Table 1 codes).
Duration training_time(int modulation) {
    using std::chrono::milliseconds;
    switch (modulation) {
        case 24:
        case 48:
            return milliseconds(950);  // V.27ter
        case 72:
        case 96:
            return milliseconds(260);  // V.29
        case 73:
        case 97:
        case 121:
        case 145:
            return milliseconds(1400);  // V.17 long training
        case 74:
        case 98:
        case 122:
        case 146:
            return milliseconds(150);  // V.17 short training
        default:
            return milliseconds(300);
    }
}

std::string normalise(const std::string& line) {
    std::string s;
    for (unsigned char c : line)
        if (!std::isspace(c)) s.push_back(static_cast<char>(std::toupper(c)));
    return s;
}

}  // namespace

// What the engine tracks of the AT dialogue, for faults, quirks and events.
struct Class1Engine::Impl {
    enum class Cmd { None, Fth, Ftm, Frh, Frm, Frs, Fts, Dial, Answer, Other };
    enum class OutMode { Text, Data };

    std::string line;  // host command line being collected
    bool host_dle = false;
    int commands = 0;
    Cmd last_cmd = Cmd::None;
    int last_value = 0;
    bool awaiting_rx_connect = false;  // +FRH/+FRM/ATD issued, CONNECT starts data to the host
    Cmd rx_kind = Cmd::None;
    bool awaiting_tx_connect = false;  // +FTH/+FTM/ATA issued
    Cmd tx_kind = Cmd::None;

    OutMode out_mode = OutMode::Text;
    std::string out_line;
    bool out_dle = false;
    std::vector<std::uint8_t> rx_frame;  // a V.21 frame going to the host (unstuffed)
    std::vector<std::uint8_t> tx_frame;  // a V.21 frame coming from the host (unstuffed)

    bool silent = false;
    std::optional<TimePoint> last_v21_end;  // end of the last frame received (+FRH)
    bool transmitted_since_frh = false;
    std::optional<TimePoint> discard_data_until;  // early +FTM CONNECT: training still going
    bool drop_armed = false;
    bool drop_done = false;
    int mcf = 0;
    std::size_t garbage_index = 0;
    std::vector<std::uint8_t> captured;  // +FTM data so far (Class1Options::capture_tx_data)
    int captures = 0;

    struct PendingResult {
        TimePoint at;
        int event;
    };
    std::optional<PendingResult> pending;
    std::optional<TimePoint> answer_deadline;  // ATA with no call yet (S7)
};

Class1Engine::Class1Engine(VirtualExchange& exchange, std::string number, Class1Options options)
    : exchange_(exchange),
      number_(std::move(number)),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>()) {
    t31_ = t31_init(nullptr, &Class1Engine::on_at_tx, this, &Class1Engine::on_modem_control, this,
                    nullptr, nullptr);
    if (!t31_) throw std::runtime_error("modem " + number_ + ": t31_init failed");
    t31_set_transmit_on_idle(t31_, TRUE);
}

Class1Engine::~Class1Engine() {
    if (in_call()) exchange_.hangup(number_);
    writer_ = nullptr;
    // 0.0.6's t31_release does not free the queue t31_init made (found with LeakSanitizer).
    queue_state_t* rx_queue = t31_->rx_queue;
    t31_free(t31_);
    if (rx_queue) queue_free(rx_queue);
}

void Class1Engine::event(const std::string& text) {
    if (options_.on_event) options_.on_event("modem " + number_ + ": " + text);
}

// ---- host -> modem -------------------------------------------------------

void Class1Engine::host_bytes(const std::uint8_t* data, std::size_t n) {
    if (impl_->silent) return;
    const std::size_t slack = options_.quirks.flow_overflow_slack;
    // Bytes arrive in order and the modem takes what it can as they come, so a
    // host that ignores XOFF fills the queue while CTS is off.
    for (std::size_t i = 0; i < n; ++i) {
        if (!cts_ && slack > 0 && in_queue_.size() >= slack) {
            ++overflow_lost_;  // a modem that needs XOFF honoured has only so much room
            continue;
        }
        in_queue_.push_back(data[i]);
        if (in_queue_.size() >= kFeedChunk || i + 1 == n) feed_t31();
    }
}

void Class1Engine::feed_t31() {
    Impl& s = *impl_;
    int guard = 0;
    while (!in_queue_.empty() && cts_ && !s.silent && ++guard < 1000) {
        const int mode = t31_->at_state.at_rx_mode;
        std::vector<std::uint8_t> out;
        if (mode == AT_MODE_HDLC || mode == AT_MODE_STUFFED) {
            // Data: up to and including DLE ETX, at most one chunk.
            const bool stuffed = mode == AT_MODE_STUFFED;
            const bool discard =
                stuffed && s.discard_data_until && exchange_.clock().now() < *s.discard_data_until;
            bool ended = false;
            while (!in_queue_.empty() && out.size() < kFeedChunk && !ended) {
                const std::uint8_t b = in_queue_.front();
                in_queue_.pop_front();
                if (!s.host_dle && b == kDle) {
                    s.host_dle = true;
                    continue;
                }
                if (s.host_dle) {
                    s.host_dle = false;
                    if (b != kDle) {  // DLE ETX ends the data; other DLE pairs pass as they are
                        out.push_back(kDle);
                        out.push_back(b);
                        if (b == kEtx) {
                            ended = true;
                            if (stuffed) save_capture();
                            if (!stuffed) {
                                on_frame(s.tx_frame, true);
                                s.tx_frame.clear();
                            }
                        }
                        continue;
                    }
                }
                std::uint8_t d = b;  // one data byte
                if (stuffed) {
                    if (!options_.capture_tx_data.empty()) s.captured.push_back(d);
                    if (discard) continue;  // lost: the modem is still training
                    if (options_.quirks.reversed_bit_order) d = reverse_bits(d);
                } else {
                    s.tx_frame.push_back(d);
                }
                if (d == kDle) out.push_back(kDle);
                out.push_back(d);
            }
        } else if (mode == AT_MODE_ONHOOK_COMMAND || mode == AT_MODE_OFFHOOK_COMMAND) {
            // A command line: collected up to CR, then looked at before T.31 sees it.
            bool complete = false;
            while (!in_queue_.empty() && !complete) {
                const char c = static_cast<char>(in_queue_.front());
                in_queue_.pop_front();
                s.line.push_back(c);
                complete = c == '\r';
            }
            if (!complete) return;
            std::string line;
            line.swap(s.line);
            if (!host_command(line)) continue;  // answered here
            out.assign(line.begin(), line.end());
        } else {
            // Delivery: any byte aborts a reception in progress.
            const std::size_t k = std::min(in_queue_.size(), kFeedChunk);
            out.assign(in_queue_.begin(), in_queue_.begin() + static_cast<long>(k));
            in_queue_.erase(in_queue_.begin(), in_queue_.begin() + static_cast<long>(k));
        }
        if (!out.empty())
            t31_at_rx(t31_, reinterpret_cast<const char*>(out.data()),
                      static_cast<int>(out.size()));
    }
}

void Class1Engine::save_capture() {
    Impl& s = *impl_;
    if (options_.capture_tx_data.empty()) return;
    const std::string path = options_.capture_tx_data + "-" + std::to_string(++s.captures) + ".bin";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(s.captured.data()),
              static_cast<std::streamsize>(s.captured.size()));
    out.close();
    event("+FTM data: " + std::to_string(s.captured.size()) + " bytes " +
          (out ? "captured to " : "NOT captured (cannot write) to ") + path);
    s.captured.clear();
}

// Looks at a complete command line; false when the engine answered it itself.
bool Class1Engine::host_command(const std::string& raw) {
    Impl& s = *impl_;
    const std::string cmd = normalise(raw);
    if (cmd.size() < 2 || cmd.compare(0, 2, "AT") != 0) return true;
    ++s.commands;
    const Class1Faults& f = options_.faults;
    if (f.silent_after_commands >= 0 && s.commands > f.silent_after_commands) {
        go_silent("after " + std::to_string(f.silent_after_commands) + " commands");
        return false;
    }
    at_state_t* at = &t31_->at_state;
    auto answer = [&](const std::vector<std::string>& lines, int code) {
        if (at->p.echo) to_host(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
        for (const auto& l : lines) at_put_response(at, l.c_str());
        at_put_response_code(at, code);
    };

    // Identification: 0.0.6 has its own fixed strings, so these are answered here.
    const VirtualModemIdentity& id = options_.identity;
    static const std::array<std::pair<const char*, int>, 10> ident = {{{"AT+FMI?", 0},
                                                                       {"AT+GMI", 0},
                                                                       {"AT+GMI?", 0},
                                                                       {"AT+FMM?", 1},
                                                                       {"AT+GMM", 1},
                                                                       {"AT+GMM?", 1},
                                                                       {"AT+FMR?", 2},
                                                                       {"AT+GMR", 2},
                                                                       {"AT+GMR?", 2},
                                                                       {"ATI", 3}}};
    for (const auto& [text, which] : ident) {
        if (cmd == text || (which == 3 && cmd == "ATI0")) {
            const std::string& v = which == 0   ? id.manufacturer
                                   : which == 1 ? id.model
                                   : which == 2 ? id.revision
                                                : id.ati;
            answer({v}, AT_RESPONSE_CODE_OK);
            return false;
        }
    }

    // The Class 1 command of this line, if any (hosts send them one per line).
    Impl::Cmd kind = Impl::Cmd::Other;
    int value = -1;
    const std::pair<const char*, Impl::Cmd> class1[] = {
        {"+FTH=", Impl::Cmd::Fth}, {"+FTM=", Impl::Cmd::Ftm}, {"+FRH=", Impl::Cmd::Frh},
        {"+FRM=", Impl::Cmd::Frm}, {"+FRS=", Impl::Cmd::Frs}, {"+FTS=", Impl::Cmd::Fts}};
    for (const auto& [text, k] : class1) {
        const auto pos = cmd.find(text);
        if (pos != std::string::npos && pos + 5 < cmd.size() + 1 &&
            std::isdigit(static_cast<unsigned char>(cmd[pos + 5]))) {
            kind = k;
            value = std::atoi(cmd.c_str() + pos + 5);
        }
    }
    if (kind == Impl::Cmd::Other && cmd.size() > 2 && cmd[2] == 'D') kind = Impl::Cmd::Dial;
    if (kind == Impl::Cmd::Other && cmd == "ATA") kind = Impl::Cmd::Answer;

    const Class1Quirks& q = options_.quirks;
    const TimePoint now = exchange_.clock().now();
    if (kind == Impl::Cmd::Frm && q.frm_fcerror_after_v21 && s.last_cmd == Impl::Cmd::Frh &&
        s.last_v21_end && now - *s.last_v21_end < kFcerrorWindow) {
        event("+FRM=" + std::to_string(value) + " too soon after V.21: +FCERROR (quirk)");
        s.last_cmd = Impl::Cmd::Other;
        answer({}, AT_RESPONSE_CODE_FCERROR);
        return false;
    }
    if (kind == Impl::Cmd::Frh && q.frh_bogus_connect && s.transmitted_since_frh &&
        at->at_rx_mode == AT_MODE_OFFHOOK_COMMAND) {
        s.transmitted_since_frh = false;
        s.last_cmd = Impl::Cmd::Frh;
        event("+FRH=3: bogus CONNECT, NO CARRIER (quirk)");
        if (at->p.echo) to_host(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
        at_put_response_code(at, AT_RESPONSE_CODE_CONNECT);
        at_put_response_code(at, AT_RESPONSE_CODE_NO_CARRIER);
        return false;
    }

    switch (kind) {
        case Impl::Cmd::Fth:
        case Impl::Cmd::Ftm:
            s.transmitted_since_frh = true;
            s.awaiting_tx_connect = true;
            s.tx_kind = kind;
            break;
        case Impl::Cmd::Answer:
            s.awaiting_tx_connect = true;
            s.tx_kind = Impl::Cmd::Fth;  // the answerer sends its frames first
            break;
        case Impl::Cmd::Frh:
        case Impl::Cmd::Frm:
            s.awaiting_rx_connect = true;
            s.rx_kind = kind;
            break;
        case Impl::Cmd::Dial:
            s.awaiting_rx_connect = true;
            s.rx_kind = Impl::Cmd::Frh;  // the caller receives the answerer's frames first
            break;
        default:
            break;
    }
    s.last_cmd = kind;
    s.last_value = value;
    return true;
}

void Class1Engine::go_silent(const std::string& why) {
    if (impl_->silent) return;
    impl_->silent = true;
    in_queue_.clear();
    event("stops answering " + why + " (fault)");
}

// ---- modem -> host -------------------------------------------------------

int Class1Engine::on_at_tx(at_state_s*, void* user, const std::uint8_t* buf, std::size_t len) {
    static_cast<Class1Engine*>(user)->from_t31(buf, len);
    return static_cast<int>(len);
}

void Class1Engine::to_host(const std::uint8_t* data, std::size_t n) {
    if (writer_ && n > 0) writer_(data, n);
}

void Class1Engine::from_t31(const std::uint8_t* buf, std::size_t len) {
    Impl& s = *impl_;
    if (s.silent) return;
    const Class1Faults& f = options_.faults;
    if (f.garbage_after_commands >= 0 && s.commands > f.garbage_after_commands) {
        static const char junk[] = "#%&*?~@$";
        std::vector<std::uint8_t> g(buf, buf + len);
        for (auto& b : g)
            if (b != '\r' && b != '\n') b = static_cast<std::uint8_t>(junk[s.garbage_index++ % 8]);
        to_host(g.data(), g.size());
        return;
    }
    std::vector<std::uint8_t> out;
    out.reserve(len + 8);
    for (std::size_t i = 0; i < len; ++i) {
        const std::uint8_t b = buf[i];
        if (s.out_mode == Impl::OutMode::Text) {
            out.push_back(b);
            if (b == '\r') continue;
            if (b == '\n') {  // verbose responses end in CR LF; data follows the LF
                if (!s.out_line.empty()) {
                    std::string l;
                    l.swap(s.out_line);
                    to_host(out.data(), out.size());
                    out.clear();
                    response_line(l);
                    if (s.silent) return;
                }
            } else {
                s.out_line.push_back(static_cast<char>(b));
            }
            continue;
        }
        // Data for the host: HDLC frames (+FRH) or phase C data (+FRM), DLE-stuffed.
        const bool frames = s.rx_kind == Impl::Cmd::Frh;
        if (!s.out_dle && b == kDle) {
            s.out_dle = true;
            continue;
        }
        std::uint8_t d = b;
        if (s.out_dle) {
            s.out_dle = false;
            if (b != kDle) {
                out.push_back(kDle);
                out.push_back(b);
                if (b == kEtx) {
                    s.out_mode = Impl::OutMode::Text;
                    if (frames) {
                        s.last_v21_end = exchange_.clock().now();
                        on_frame(s.rx_frame, false);
                        s.rx_frame.clear();
                    }
                }
                continue;
            }
        }
        if (frames) {
            s.rx_frame.push_back(d);
        } else if (options_.quirks.reversed_bit_order) {
            d = reverse_bits(d);
        }
        if (d == kDle && !(frames && options_.quirks.no_dle_doubling_in_frames))
            out.push_back(kDle);
        out.push_back(d);
    }
    to_host(out.data(), out.size());
}

// A whole response line the modem sent; moves the dialogue's state on.
void Class1Engine::response_line(const std::string& line) {
    Impl& s = *impl_;
    const TimePoint now = exchange_.clock().now();
    if (line == "CONNECT") {
        if (s.awaiting_rx_connect) {
            s.awaiting_rx_connect = false;
            s.out_mode = Impl::OutMode::Data;
            s.out_dle = false;
            s.rx_frame.clear();
            if (s.rx_kind == Impl::Cmd::Frm) high_speed_carrier();
        } else if (s.awaiting_tx_connect) {
            s.awaiting_tx_connect = false;
            s.host_dle = false;
            s.tx_frame.clear();
            if (s.tx_kind == Impl::Cmd::Ftm) {
                if (options_.quirks.early_ftm_connect)
                    s.discard_data_until = now + training_time(s.last_value);
                high_speed_carrier();
            }
        }
        return;
    }
    if (line == "OK" || line == "NO CARRIER" || line == "ERROR" || line == "+FCERROR" ||
        line == "BUSY" || line == "NO ANSWER") {
        if (s.awaiting_rx_connect && s.rx_kind == Impl::Cmd::Frh) s.last_v21_end = now;
        s.awaiting_rx_connect = false;
        s.awaiting_tx_connect = false;
    }
}

// A V.21 frame either way (unstuffed: address, control, FCF, ...).
void Class1Engine::on_frame(const std::vector<std::uint8_t>& frame, bool from_host) {
    if (frame.size() < 3) return;
    Impl& s = *impl_;
    const std::uint8_t fcf = frame[2] & 0xFE;  // without the X bit
    if (fcf == T30_MCF) {
        pages_confirmed_ = ++s.mcf;
        s.drop_armed = true;
    } else if (fcf == T30_CFR) {
        s.drop_armed = true;
    }
    (void)from_host;
}

// A page (or TCF) carrier starts. A drop waits for the page after N confirmed ones.
void Class1Engine::high_speed_carrier() {
    Impl& s = *impl_;
    const int n = options_.faults.drop_after_pages;
    if (n >= 0 && s.drop_armed && !s.drop_done && s.mcf >= n && call_ == CallState::Connected) {
        s.drop_done = true;
        event("line drops during page " + std::to_string(s.mcf + 1) + " (fault)");
        exchange_.drop_call(number_, kDropDelay);
    }
    s.drop_armed = false;
}

// ---- modem control and the line -------------------------------------------

int Class1Engine::on_modem_control(t31_state_s*, void* user, int op, const char* num) {
    auto* self = static_cast<Class1Engine*>(user);
    switch (op) {
        case AT_MODEM_CONTROL_CALL:
            self->dial(num ? num : "");
            break;
        case AT_MODEM_CONTROL_ANSWER:
            self->answer();
            break;
        case AT_MODEM_CONTROL_HANGUP:
        case AT_MODEM_CONTROL_ONHOOK:
            self->hang_up();
            break;
        case AT_MODEM_CONTROL_CTS: {
            const bool on = reinterpret_cast<std::intptr_t>(num) != 0;
            if (on != self->cts_) {
                self->cts_ = on;
                if (self->options_.xon_xoff && !self->impl_->silent) {
                    const std::uint8_t c = on ? kXon : kXoff;
                    self->to_host(&c, 1);
                }
            }
            break;
        }
        default:
            break;
    }
    return 0;
}

void Class1Engine::start_call() {
    Impl& s = *impl_;
    s.mcf = 0;
    pages_confirmed_ = 0;
    s.drop_armed = false;
    s.drop_done = false;
    s.transmitted_since_frh = false;
    s.last_v21_end.reset();
    s.discard_data_until.reset();
    if (options_.faults.noise) exchange_.set_impairment(number_, options_.faults.noise);
}

void Class1Engine::dial(const std::string& dialled) {
    std::string digits;
    for (char c : dialled)
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '#')
            digits.push_back(c);
    Impl& s = *impl_;
    event("dials " + digits);
    start_call();
    const Class1Faults& f = options_.faults;
    const TimePoint now = exchange_.clock().now();
    if (f.busy) {
        s.pending = Impl::PendingResult{now + exchange_.timing().dial_delay, AT_CALL_EVENT_BUSY};
        call_ = CallState::Dialling;
        return;
    }
    if (f.no_answer) {
        s.pending = Impl::PendingResult{now + exchange_.timing().no_answer_timeout,
                                        AT_CALL_EVENT_NO_ANSWER};
        call_ = CallState::Dialling;
        return;
    }
    if (digits.empty() || call_ != CallState::Idle) {
        // Nothing to dial, or the line is ringing: the modem finds no dial tone.
        s.pending = Impl::PendingResult{now, AT_CALL_EVENT_NO_DIALTONE};
        call_ = CallState::Dialling;
        return;
    }
    call_ = CallState::Dialling;
    exchange_.dial(number_, digits);
}

void Class1Engine::answer() {
    Impl& s = *impl_;
    start_call();
    if (call_ != CallState::Ringing) {
        // ATA with no call: off hook, waiting S7 seconds for a caller to connect.
        const int s7 = t31_->at_state.p.s_regs[7];
        s.answer_deadline = exchange_.clock().now() + std::chrono::seconds(s7 > 0 ? s7 : 60);
        call_ = CallState::Answering;
        event("off hook, waiting for a call");
        return;
    }
    event("answers");
    call_ = CallState::Answering;
    exchange_.answer(number_);
}

void Class1Engine::hang_up() {
    impl_->pending.reset();
    impl_->answer_deadline.reset();
    if (call_ == CallState::Idle) return;
    event("hangs up");
    call_ = CallState::Idle;
    exchange_.hangup(number_);
}

void Class1Engine::line_ringing(int ring_count, const std::string& caller_id) {
    if (call_ == CallState::Answering && impl_->answer_deadline) {
        // The host already said ATA: take the call without a RING.
        impl_->answer_deadline.reset();
        event("answers a call from " + caller_id);
        exchange_.answer(number_);
        return;
    }
    if (call_ != CallState::Idle && call_ != CallState::Ringing) return;
    call_ = CallState::Ringing;
    event("RING " + std::to_string(ring_count) + " from " + caller_id);
    t31_call_event(t31_, AT_CALL_EVENT_ALERTING);  // RING (and an S0 auto-answer)
    if (options_.caller_id && ring_count == 1 && call_ == CallState::Ringing && !impl_->silent)
        at_put_response(&t31_->at_state, ("NMBR = " + caller_id).c_str());
}

void Class1Engine::line_connected() {
    const CallState was = call_;
    call_ = CallState::Connected;
    event("connected");
    if (options_.faults.silent_after_connect) go_silent("once the call connected");
    t31_call_event(t31_,
                   was == CallState::Dialling ? AT_CALL_EVENT_CONNECTED : AT_CALL_EVENT_ANSWERED);
}

void Class1Engine::line_ended(LineEnd why) {
    const CallState was = call_;
    call_ = CallState::Idle;
    event(std::string("call ended: ") + to_string(why));
    if (was == CallState::Dialling) {
        t31_call_event(t31_, why == LineEnd::Busy       ? AT_CALL_EVENT_BUSY
                             : why == LineEnd::NoAnswer ? AT_CALL_EVENT_NO_ANSWER
                                                        : AT_CALL_EVENT_HANGUP);
    } else if (was != CallState::Idle) {
        t31_call_event(t31_, AT_CALL_EVENT_HANGUP);  // NO CARRIER if the host was waiting
    }
}

void Class1Engine::line_transmit(std::int16_t* out, int n) {
    int done = 0;
    if (call_ == CallState::Connected) done = t31_tx(t31_, out, n);
    std::fill(out + std::max(done, 0), out + n, std::int16_t{0});
}

void Class1Engine::line_receive(const std::int16_t* in, int n) {
    if (call_ != CallState::Connected) return;
    t31_rx(t31_, const_cast<std::int16_t*>(in), n);
    clocked_ = true;
}

void Class1Engine::tick() {
    Impl& s = *impl_;
    // Off the line, T.31 still counts its timers in samples: clock it with silence.
    if (!clocked_) {
        std::array<std::int16_t, kBlock> block{};
        t31_tx(t31_, block.data(), kBlock);
        block.fill(0);
        t31_rx(t31_, block.data(), kBlock);
    }
    clocked_ = false;
    if (s.answer_deadline && exchange_.clock().now() >= *s.answer_deadline) {
        s.answer_deadline.reset();
        call_ = CallState::Idle;
        event("no call to answer: NO CARRIER");
        t31_call_event(t31_, AT_CALL_EVENT_HANGUP);
    }
    if (s.pending && exchange_.clock().now() >= s.pending->at) {
        const int ev = s.pending->event;
        s.pending.reset();
        call_ = CallState::Idle;
        event(std::string("dial result: ") + (ev == AT_CALL_EVENT_BUSY        ? "BUSY"
                                              : ev == AT_CALL_EVENT_NO_ANSWER ? "NO ANSWER"
                                                                              : "no call"));
        t31_call_event(t31_, ev);
    }
    feed_t31();
}

}  // namespace faxemu
