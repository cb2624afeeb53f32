#include "devices/virtual_exchange.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <thread>

#include <spandsp.h>

namespace faxemu {

const char* to_string(LineEnd end) {
    switch (end) {
        case LineEnd::Busy:
            return "busy";
        case LineEnd::NoAnswer:
            return "no answer";
        case LineEnd::FarHangup:
            return "far end hung up";
        case LineEnd::Dropped:
            return "line dropped";
    }
    return "unknown";
}

struct VirtualExchange::Line {
    std::string number;
    LineEndpoint* endpoint = nullptr;
    Call* call = nullptr;
    std::optional<Duration> drop_after_connect;  // a fault waiting for the next call
    std::optional<LineImpairment> impairment;
};

// A lossy, noisy direction of a line. The noise is seeded, so a call is the same every run.
class VirtualExchange::Noise {
  public:
    Noise(const LineImpairment& imp, int seed)
        : gain_(std::pow(10.0f, -imp.attenuation_db / 20.0f)),
          state_(awgn_init_dbm0(nullptr, seed, imp.noise_dbm0)) {}
    ~Noise() { awgn_free(state_); }
    Noise(const Noise&) = delete;
    Noise& operator=(const Noise&) = delete;
    void add(std::int16_t* samples, int n) {
        for (int i = 0; i < n; ++i)
            samples[i] = saturate(static_cast<int>(std::lround(samples[i] * gain_)) + awgn(state_));
    }

  private:
    static std::int16_t saturate(int v) {
        return static_cast<std::int16_t>(std::clamp(v, -32768, 32767));
    }
    float gain_;
    awgn_state_t* state_;
};

struct VirtualExchange::Call {
    enum class State { Dialing, Ringing, Connected } state = State::Dialing;
    std::string caller;
    std::string callee;
    Line* caller_line = nullptr;
    Line* callee_line = nullptr;  // null while dialling, or when nobody has the number
    TimePoint dialled_at;
    TimePoint next_ring;
    int rings = 0;
    bool answer_requested = false;
    bool caller_gone = false;
    bool callee_gone = false;
    std::optional<TimePoint> drop_at;
    std::optional<TimePoint> far_hangup_at;  // one side hung up; the other hears it then
    std::optional<TimePoint> silent_from, silent_until;
    bool finished = false;
    std::unique_ptr<Noise> noise_to_caller, noise_to_callee;
};

VirtualExchange::VirtualExchange(VirtualClock& clock, ExchangeTiming timing)
    : clock_(clock), timing_(timing) {}

VirtualExchange::~VirtualExchange() = default;

VirtualExchange::Line* VirtualExchange::line(const std::string& number) {
    auto it = lines_.find(number);
    return it == lines_.end() ? nullptr : it->second.get();
}

void VirtualExchange::attach(const std::string& number, LineEndpoint& endpoint) {
    if (number.empty()) throw std::invalid_argument("exchange: a line needs a number");
    if (lines_.count(number))
        throw std::invalid_argument("exchange: number " + number + " is taken");
    auto l = std::make_unique<Line>();
    l->number = number;
    l->endpoint = &endpoint;
    lines_[number] = std::move(l);
}

void VirtualExchange::detach(const std::string& number) {
    Line* l = line(number);
    if (!l) return;
    if (l->call) hangup(number);
    for (auto& c : calls_) {
        if (c->callee_line == l) c->callee_line = nullptr;
        if (c->caller_line == l) c->caller_line = nullptr;
    }
    lines_.erase(number);
}

void VirtualExchange::dial(const std::string& from, const std::string& to) {
    Line* l = line(from);
    if (!l) throw std::invalid_argument("exchange: no line " + from);
    if (l->call) throw std::logic_error("exchange: line " + from + " is already in a call");
    auto call = std::make_unique<Call>();
    call->caller = from;
    call->callee = to;
    call->caller_line = l;
    call->dialled_at = clock_.now();
    l->call = call.get();
    calls_.push_back(std::move(call));
}

void VirtualExchange::answer(const std::string& number) {
    Line* l = line(number);
    if (l && l->call && l->call->callee_line == l && l->call->state == Call::State::Ringing)
        l->call->answer_requested = true;
}

void VirtualExchange::hangup(const std::string& number) {
    Line* l = line(number);
    if (!l || !l->call) return;
    Call& c = *l->call;
    l->call = nullptr;  // the line is free at once; the call winds down without it
    if (c.caller_line == l) {
        c.caller_gone = true;
        c.caller_line = nullptr;
    } else {
        c.callee_gone = true;
        c.callee_line = nullptr;
    }
    if (c.state == Call::State::Connected) {
        if (!c.far_hangup_at) c.far_hangup_at = clock_.now() + timing_.hangup_grace;
    } else {
        c.far_hangup_at = clock_.now();
    }
}

void VirtualExchange::drop_call(const std::string& number, Duration after) {
    Line* l = line(number);
    if (!l) throw std::invalid_argument("exchange: no line " + number);
    if (l->call && l->call->state == Call::State::Connected)
        l->call->drop_at = clock_.now() + after;
    else
        l->drop_after_connect = after;
}

void VirtualExchange::silence_call(const std::string& number, Duration after, Duration length) {
    Line* l = line(number);
    if (!l) throw std::invalid_argument("exchange: no line " + number);
    if (!l->call || l->call->state != Call::State::Connected)
        throw std::logic_error("exchange: line " + number + " is not in a call");
    l->call->silent_from = clock_.now() + after;
    l->call->silent_until = *l->call->silent_from + length;
}

void VirtualExchange::set_impairment(const std::string& number,
                                     std::optional<LineImpairment> impairment) {
    Line* l = line(number);
    if (!l) throw std::invalid_argument("exchange: no line " + number);
    l->impairment = impairment;
}

void VirtualExchange::end_call(Call& call, LineEnd caller_end, LineEnd callee_end) {
    call.finished = true;
    // Free both lines before telling either end, so an end may dial again at once.
    Line* a = call.caller_line;
    Line* b = call.callee_line;
    if (a) a->call = nullptr;
    if (b) b->call = nullptr;
    call.caller_line = call.callee_line = nullptr;
    if (a) a->endpoint->line_ended(caller_end);
    if (b) b->endpoint->line_ended(callee_end);
}

void VirtualExchange::step() {
    const TimePoint now = clock_.now();
    // Index loop: endpoints may dial from their callbacks, which appends calls.
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        Call* c = calls_[i].get();
        if (c->finished) continue;
        if (c->far_hangup_at && now >= *c->far_hangup_at) {
            end_call(*c, LineEnd::FarHangup, LineEnd::FarHangup);
            continue;
        }
        switch (c->state) {
            case Call::State::Dialing: {
                if (now < c->dialled_at + timing_.dial_delay) break;
                Line* target = line(c->callee);
                if (target && (target->call || target == c->caller_line)) {
                    end_call(*c, LineEnd::Busy, LineEnd::Busy);
                    break;
                }
                c->state = Call::State::Ringing;
                c->callee_line = target;  // null: nobody there, it rings out
                if (target) target->call = c;
                c->next_ring = now;
                [[fallthrough]];
            }
            case Call::State::Ringing: {
                if (c->answer_requested && c->callee_line) {
                    c->state = Call::State::Connected;
                    for (Line* l : {c->caller_line, c->callee_line}) {
                        if (l && l->drop_after_connect) {
                            c->drop_at = now + *l->drop_after_connect;
                            l->drop_after_connect.reset();
                        }
                        if (l && l->impairment) {
                            c->noise_to_caller = std::make_unique<Noise>(*l->impairment, 1);
                            c->noise_to_callee = std::make_unique<Noise>(*l->impairment, 2);
                        }
                    }
                    if (c->caller_line) c->caller_line->endpoint->line_connected();
                    if (c->callee_line) c->callee_line->endpoint->line_connected();
                    break;
                }
                if (now >= c->dialled_at + timing_.no_answer_timeout) {
                    end_call(*c, LineEnd::NoAnswer, LineEnd::FarHangup);
                    break;
                }
                if (now >= c->next_ring) {
                    ++c->rings;
                    c->next_ring = now + timing_.ring_period;
                    if (c->callee_line) c->callee_line->endpoint->line_ringing(c->rings, c->caller);
                }
                break;
            }
            case Call::State::Connected: {
                if (c->drop_at && now >= *c->drop_at) {
                    end_call(*c, LineEnd::Dropped, LineEnd::Dropped);
                    break;
                }
                const int n = static_cast<int>(kBlock.count() * 8 / 1000);  // 8 kHz
                a_.assign(n, 0);
                b_.assign(n, 0);
                if (c->caller_line) c->caller_line->endpoint->line_transmit(a_.data(), n);
                if (c->callee_line) c->callee_line->endpoint->line_transmit(b_.data(), n);
                if (c->noise_to_callee) c->noise_to_callee->add(a_.data(), n);
                if (c->noise_to_caller) c->noise_to_caller->add(b_.data(), n);
                if (c->silent_from && now >= *c->silent_from && now < *c->silent_until) {
                    std::fill(a_.begin(), a_.end(), std::int16_t{0});
                    std::fill(b_.begin(), b_.end(), std::int16_t{0});
                }
                if (c->caller_line) c->caller_line->endpoint->line_receive(b_.data(), n);
                if (c->callee_line) c->callee_line->endpoint->line_receive(a_.data(), n);
                break;
            }
        }
    }
    std::erase_if(calls_, [](const std::unique_ptr<Call>& c) {
        return c->finished || (!c->caller_line && !c->callee_line);
    });
    clock_.advance(kBlock);
    for (auto& hook : tick_hooks_) hook();
    pace();
}

void VirtualExchange::pace() {
    if (speed_ <= 0) {
        paced_blocks_ = 0;
        return;
    }
    if (paced_blocks_ == 0) paced_start_ = std::chrono::steady_clock::now();
    ++paced_blocks_;
    auto target = paced_start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     kBlock * paced_blocks_ / speed_);
    // Real-time pacing is for outside peers only; tests run unpaced.
    std::this_thread::sleep_until(target);
}

bool VirtualExchange::run_until(const std::function<bool()>& done, Duration limit) {
    const TimePoint end = clock_.now() + limit;
    while (!done()) {
        if (clock_.now() >= end) return false;
        step();
    }
    return true;
}

}  // namespace faxemu
