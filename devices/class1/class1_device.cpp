#include "devices/class1/class1_device.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

#include "devices/serial/at_channel.hpp"
#include "devices/serial/modem_probe.hpp"
#include "devices/serial/serial_line.hpp"
#include "devices/serial/uucp_lock.hpp"

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

}  // namespace

const char* to_string(Class1State state) {
    switch (state) {
        case Class1State::Closed:
            return "closed";
        case Class1State::Probing:
            return "probing";
        case Class1State::Ready:
            return "ready";
        case Class1State::Dialing:
            return "dialing";
        case Class1State::Ringing:
            return "ringing";
        case Class1State::Answering:
            return "answering";
        case Class1State::InCall:
            return "in call";
        case Class1State::HangingUp:
            return "hanging up";
        case Class1State::Unavailable:
            return "unavailable";
    }
    return "unknown";
}

Class1Device::Class1Device(asio::io_context& io, const Clock& clock, Class1DeviceConfig config)
    : io_(io), clock_(clock), config_(std::move(config)), alive_(std::make_shared<bool>(true)) {}

Class1Device::~Class1Device() {
    alive_.reset();
    front_end_.reset();
    close_line();
}

std::string Class1Device::name() const {
    return config_.name.empty() ? "Class 1 modem " + config_.device.string() : config_.name;
}

// --- opening, probing, availability ------------------------------------------------

void Class1Device::open() {
    unavailable_reason_.clear();
    try {
        if (!config_.lock_dir.empty())
            lock_ = std::make_unique<UucpLock>(UucpLock::acquire(config_.device, config_.lock_dir));
        SerialSettings settings;
        settings.baud = config_.baud;
        settings.flow = config_.quirks.flow_control;
        settings.max_write_chunk = std::max<std::size_t>(config_.write_chunk, 1);
        line_ = std::make_unique<SerialLine>(io_, config_.device, settings);
        line_->open();
    } catch (const std::exception& e) {
        set_unavailable(e.what());
        return;
    }
    at_ = std::make_unique<AtChannel>(*line_, clock_);
    std::weak_ptr<bool> alive = alive_;
    at_->set_unsolicited_handler([this, alive](const std::string& l) {
        if (!alive.expired()) on_unsolicited(l);
    });
    at_->set_error_handler([this, alive](const std::string& m) {
        if (!alive.expired()) on_line_error(m);
    });
    probe_ = std::make_unique<ModemProbe>(*at_);
    state_ = Class1State::Probing;
    probe_->start([this, alive](const ProbeResult& r) {
        if (alive.expired()) return;
        if (!r.ok()) return probe_done(false, r.failure.message);
        const ModemIdentity& id = *r.identity;
        description_ = id.describe();
        if (!id.supports("1"))
            return probe_done(false, "not a Class 1 fax modem (" + description_ + ")");
        modems_ = modulations_of(id);
        if (modems_ == 0)
            return probe_done(
                false, "the modem lists no fax modulation to +FTM=?/+FRM=? (" + description_ + ")");
        probe_done(true, {});
    });
}

void Class1Device::probe_done(bool ok, const std::string& reason) {
    if (!ok) return set_unavailable(reason);
    init_next(0);
}

void Class1Device::init_next(std::size_t index) {
    std::vector<std::string> cmds = config_.init_commands;
    cmds.push_back("AT+FCLASS=1");
    if (index >= cmds.size()) {
        state_ = Class1State::Ready;
        next_check_ = clock_.now() + config_.idle_check;
        return;
    }
    const bool required = index + 1 == cmds.size();  // +FCLASS=1 must work
    const std::string cmd = cmds[index];
    std::weak_ptr<bool> alive = alive_;
    at_->command(cmd, kShortTimeout, [this, alive, index, required, cmd](const AtResponse& r) {
        if (alive.expired()) return;
        if (!r.answered()) return set_unavailable(r.error);
        if (required && !r.ok())
            return set_unavailable("the modem answered " + r.final_line + " to " + cmd);
        init_next(index + 1);
    });
}

void Class1Device::set_unavailable(const std::string& reason) {
    const std::string why =
        reason.find(config_.device.string()) != std::string::npos ? reason : name() + ": " + reason;
    modem_failed_ = true;
    if (front_end_ && !front_end_->finished()) front_end_->line_lost(why);
    const Class1State was = state_;
    state_ = Class1State::Unavailable;
    unavailable_reason_ = why;
    retry_at_ = clock_.now() + config_.retry_delay;
    if (was == Class1State::Dialing || was == Class1State::Answering ||
        was == Class1State::Ringing) {
        end_call(line_outcome(Fps::Unavailable, FailureClass::NoCarrier, why));
    } else if (front_end_) {
        // The call ends with T.30's view (T30_ERR_CALLDROPPED) once poll() sees it.
        pending_outcome_ =
            outcome_from_t30(front_end_->session().cause(), front_end_->session().pages_done());
        pending_outcome_->cause_text += " (" + why + ")";
    }
}

void Class1Device::close_line() {
    probe_.reset();
    at_.reset();
    if (line_) {
        line_->close();
        read_before_ += line_->bytes_read();
        written_before_ += line_->bytes_written();
    }
    line_.reset();
    lock_.reset();
}

std::uint64_t Class1Device::bytes_read() const {
    return read_before_ + (line_ ? line_->bytes_read() : 0);
}

std::uint64_t Class1Device::bytes_written() const {
    return written_before_ + (line_ ? line_->bytes_written() : 0);
}

bool Class1Device::output_in_flight() const {
    return line_ && line_->is_open() && line_->pending_write_bytes() > 0 && !line_->output_paused();
}

bool Class1Device::line_open() const {
    return line_ && line_->is_open();
}

void Class1Device::on_line_error(const std::string& message) {
    set_unavailable(message);
}

// --- poll -------------------------------------------------------------------------

void Class1Device::poll() {
    try {
        const TimePoint now = clock_.now();
        if (state_ == Class1State::Unavailable) {
            if (front_end_ || pending_outcome_) {
                CallOutcome o = pending_outcome_
                                    ? *pending_outcome_
                                    : outcome_from_t30(front_end_->session().cause(),
                                                       front_end_->session().pages_done());
                pending_outcome_.reset();
                front_end_.reset();
                outbound_.reset();
                inbound_.reset();
                if (listener_) listener_->on_call_ended(o);
            }
            if (line_ || at_) close_line();
            if (now >= retry_at_) {
                state_ = Class1State::Closed;
                open();
            }
            return;
        }
        if (state_ == Class1State::Closed) {
            open();
            return;
        }
        if (at_) at_->poll();
        if (front_end_) front_end_->poll();
        if (state_ == Class1State::Ringing && now - last_ring_ > config_.ring_gap) {
            // The caller gave up before we answered.
            state_ = Class1State::Ready;
            ring_count_ = 0;
            if (listener_)
                listener_->on_call_ended(
                    line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                 "caller hung up before the call was answered"));
        }
        if (state_ == Class1State::InCall && front_end_ && front_end_->finished()) finish_call();
        if (state_ == Class1State::HangingUp && !hanging_up_ && front_end_ &&
            front_end_->modem_idle() && at_ && !at_->busy() && !at_->in_data_mode()) {
            hanging_up_ = true;
            send_hangup([this] {
                CallOutcome o = *pending_outcome_;
                pending_outcome_.reset();
                end_call(o);
            });
        }
        if (state_ == Class1State::Ready && config_.idle_check > Duration::zero() &&
            now >= next_check_ && at_ && !at_->busy()) {
            next_check_ = now + config_.idle_check;
            std::weak_ptr<bool> alive = alive_;
            at_->command("AT", kShortTimeout, [this, alive](const AtResponse& r) {
                if (alive.expired()) return;
                if (!r.answered()) set_unavailable(r.error);
            });
        }
    } catch (const std::exception& e) {
        set_unavailable(std::string("internal error: ") + e.what());
    }
}

// --- calls ------------------------------------------------------------------------

void Class1Device::dial(const OutboundCall& call) {
    if (state_ != Class1State::Ready)
        throw std::logic_error(name() + ": dial while " + to_string(state_));
    if (at_->busy()) at_->cancel();  // an idle check
    outbound_ = call;
    inbound_.reset();
    local_hangup_ = false;
    state_ = Class1State::Dialing;
    std::weak_ptr<bool> alive = alive_;
    at_->command(
        config_.dial_command + call.number, config_.dial_timeout,
        [this, alive](const AtResponse& r) {
            if (alive.expired() || state_ != Class1State::Dialing) return;
            switch (r.result) {
                case AtResult::Connect:
                    return start_call(true);
                case AtResult::Busy:
                    return end_call(line_outcome(Fps::Busy, FailureClass::Busy, "line busy"));
                case AtResult::NoAnswer:
                    return end_call(
                        line_outcome(Fps::NoAnswer, FailureClass::NoAnswer, "no answer"));
                case AtResult::NoCarrier:
                    return end_call(line_outcome(Fps::NoAnswer, FailureClass::NoCarrier,
                                                 "no carrier: no fax machine answered"));
                case AtResult::NoDialtone:
                    return end_call(
                        line_outcome(Fps::NoDialTone, FailureClass::NoCarrier, "no dial tone"));
                case AtResult::Timeout:
                case AtResult::Garbage:
                case AtResult::Vanished:
                    return set_unavailable(r.error);
                default:
                    return end_call(line_outcome(
                        Fps::FatalError, FailureClass::Protocol,
                        name() + " answered " + r.final_line + " to the dial command"));
            }
        });
}

void Class1Device::answer(const InboundCall& call) {
    if (state_ != Class1State::Ringing)
        throw std::logic_error(name() + ": answer while " + to_string(state_));
    if (at_->busy()) at_->cancel();
    inbound_ = call;
    outbound_.reset();
    local_hangup_ = false;
    state_ = Class1State::Answering;
    std::weak_ptr<bool> alive = alive_;
    at_->command("ATA", config_.answer_timeout, [this, alive](const AtResponse& r) {
        if (alive.expired() || state_ != Class1State::Answering) return;
        if (r.result == AtResult::Connect) return start_call(false);
        if (!r.answered()) return set_unavailable(r.error);
        send_hangup([this] {
            end_call(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                  "caller hung up before the call was answered"));
        });
    });
}

void Class1Device::start_call(bool calling) {
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
    if (modems_ && (cfg.session.modems & modems_)) cfg.session.modems &= modems_;
    auto sink = [this](const SessionEvent& e) {
        if (listener_) listener_->on_session_event(e);
    };
    try {
        front_end_ = std::make_unique<Class1FrontEnd>(*at_, clock_, cfg, sink);
    } catch (const std::exception& e) {
        pending_outcome_ = line_outcome(Fps::FatalError, FailureClass::Document, e.what());
        state_ = Class1State::HangingUp;
        hanging_up_ = true;
        return send_hangup([this] {
            CallOutcome o = *pending_outcome_;
            pending_outcome_.reset();
            end_call(o);
        });
    }
    if (call_hook_) call_hook_(*front_end_);
    state_ = Class1State::InCall;
    hanging_up_ = false;
    if (listener_) listener_->on_connected();
    front_end_->start();
}

void Class1Device::finish_call() {
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
    pending_outcome_ = o;
    state_ = Class1State::HangingUp;
    hanging_up_ = false;
    if (!front_end_->modem_idle()) front_end_->abort_modem();
}

void Class1Device::send_hangup(std::function<void()> then) {
    if (!at_) return then();
    if (at_->in_data_mode()) at_->leave_data_mode();
    if (at_->busy()) at_->cancel();
    std::weak_ptr<bool> alive = alive_;
    at_->command("ATH", kShortTimeout, [this, alive, then](const AtResponse& r) {
        if (alive.expired()) return;
        if (!r.answered()) {
            // The call is over either way; the modem is not usable.
            then();
            return set_unavailable(r.error);
        }
        then();
    });
}

void Class1Device::end_call(CallOutcome outcome) {
    front_end_.reset();  // closes the TIFF: a received file is complete after this
    outbound_.reset();
    inbound_.reset();
    hanging_up_ = false;
    ring_count_ = 0;
    caller_id_.clear();
    if (state_ != Class1State::Unavailable) {
        state_ = Class1State::Ready;
        next_check_ = clock_.now() + config_.idle_check;
    }
    if (listener_) listener_->on_call_ended(outcome);
}

void Class1Device::hangup() {
    switch (state_) {
        case Class1State::Ringing:
            state_ = Class1State::Ready;
            ring_count_ = 0;
            if (listener_)
                listener_->on_call_ended(
                    line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
            return;
        case Class1State::Dialing:
        case Class1State::Answering: {
            // Any character aborts dialling / answering.
            at_->cancel();
            const std::uint8_t can = 0x18;
            at_->send_data(&can, 1);
            state_ = Class1State::HangingUp;
            hanging_up_ = true;
            std::weak_ptr<bool> alive = alive_;
            at_->expect(kShortTimeout, [this, alive](const AtResponse&) {
                if (alive.expired()) return;
                send_hangup([this] {
                    end_call(line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
                });
            });
            return;
        }
        case Class1State::InCall:
            local_hangup_ = true;
            if (front_end_) front_end_->line_lost("hung up here");
            return;
        default:
            return;
    }
}

void Class1Device::on_unsolicited(const std::string& line) {
    const TimePoint now = clock_.now();
    if (line.rfind("RING", 0) == 0 && line.rfind("RINGING", 0) != 0) {
        if (state_ != Class1State::Ready && state_ != Class1State::Ringing) return;
        if (state_ == Class1State::Ready || now - last_ring_ > config_.ring_gap) {
            ring_count_ = 0;
            caller_id_.clear();
        }
        ++ring_count_;
        ++rings_total_;
        last_ring_ = now;
        state_ = Class1State::Ringing;
        if (listener_) listener_->on_ring(ring_count_, caller_id_);
        return;
    }
    if (line.rfind("NMBR", 0) == 0) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) return;
        std::string id = line.substr(eq + 1);
        id.erase(0, id.find_first_not_of(' '));
        while (!id.empty() && (id.back() == ' ' || id.back() == '\r')) id.pop_back();
        caller_id_ = id;
        return;
    }
    if (line == "NO CARRIER" && state_ == Class1State::InCall && front_end_)
        front_end_->line_lost("the modem said NO CARRIER: the call dropped");
}

}  // namespace faxemu
