#include "devices/simulated_device.hpp"

#include <algorithm>
#include <stdexcept>

namespace faxemu {

SimulatedDevice::SimulatedDevice(VirtualExchange& exchange, std::string number)
    : exchange_(exchange), number_(std::move(number)) {
    exchange_.attach(number_, *this);
}

SimulatedDevice::~SimulatedDevice() {
    channel_.reset();
    exchange_.detach(number_);
}

void SimulatedDevice::dial(const OutboundCall& call) {
    if (state_ != State::Idle)
        throw std::logic_error("simulated port " + number_ + ": dial while not idle");
    outbound_ = call;
    inbound_.reset();
    state_ = State::Dialing;
    exchange_.dial(number_, call.number);
}

void SimulatedDevice::answer(const InboundCall& call) {
    if (state_ != State::Ringing)
        throw std::logic_error("simulated port " + number_ + ": answer while not ringing");
    inbound_ = call;
    outbound_.reset();
    state_ = State::Answering;
    exchange_.answer(number_);
}

void SimulatedDevice::hangup() {
    if (state_ == State::Idle) return;
    exchange_.hangup(number_);
    if (channel_) channel_->session().terminate();
    end_call(channel_
                 ? outcome_from_t30(channel_->session().cause(), channel_->session().pages_done())
                 : line_outcome(Fps::Aborting, FailureClass::Aborted, "hung up"));
}

void SimulatedDevice::line_ringing(int ring_count, const std::string& caller_id) {
    if (state_ == State::Idle) state_ = State::Ringing;
    if (state_ == State::Ringing && listener_) listener_->on_ring(ring_count, caller_id);
}

void SimulatedDevice::line_connected() {
    const bool calling = state_ == State::Dialing;
    auto sink = [this](const SessionEvent& e) { on_session_event(e); };
    if (calling && outbound_) {
        channel_ = std::make_unique<AudioFaxChannel>(true, SessionDirection::Send,
                                                     outbound_->session, outbound_->document, sink,
                                                     outbound_->first_page, outbound_->last_page);
    } else if (!calling && inbound_) {
        channel_ = std::make_unique<AudioFaxChannel>(false, SessionDirection::Receive,
                                                     inbound_->session, inbound_->rx_file, sink);
    } else {
        return;
    }
    state_ = State::InCall;
    if (listener_) listener_->on_connected();
}

void SimulatedDevice::line_ended(LineEnd why) {
    switch (state_) {
        case State::Idle:
            return;
        case State::Dialing:
            if (why == LineEnd::Busy)
                end_call(line_outcome(Fps::Busy, FailureClass::Busy, "line busy"));
            else
                end_call(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                      std::string("no answer: ") + to_string(why)));
            return;
        case State::Ringing:
        case State::Answering:
            end_call(line_outcome(Fps::NoAnswer, FailureClass::NoAnswer,
                                  "caller hung up before the call was answered"));
            return;
        case State::InCall: {
            // T.30 decides whether the call had already done its work (DCN seen).
            channel_->session().terminate();
            CallOutcome o =
                outcome_from_t30(channel_->session().cause(), channel_->session().pages_done());
            if (!o.ok() && why == LineEnd::Dropped) o.cause_text += " (the line dropped)";
            end_call(o);
            return;
        }
    }
}

void SimulatedDevice::line_transmit(std::int16_t* out, int n) {
    if (channel_) {
        channel_->transmit(out, n);
        finish_if_done();
    } else {
        std::fill(out, out + n, std::int16_t{0});
    }
}

void SimulatedDevice::line_receive(const std::int16_t* in, int n) {
    if (!channel_) return;
    channel_->receive(in, n);
    finish_if_done();
}

void SimulatedDevice::on_session_event(const SessionEvent& event) {
    // Runs inside spandsp: only report here; the channel is torn down after it returns.
    if (listener_) listener_->on_session_event(event);
}

void SimulatedDevice::finish_if_done() {
    if (!channel_ || !channel_->session().finished()) return;
    CallOutcome o = outcome_from_t30(channel_->session().cause(), channel_->session().pages_done());
    exchange_.hangup(number_);
    end_call(o);
}

void SimulatedDevice::end_call(const CallOutcome& outcome) {
    channel_.reset();  // closes the TIFF: a received file is complete after this
    outbound_.reset();
    inbound_.reset();
    state_ = State::Idle;
    if (listener_) listener_->on_call_ended(outcome);
}

}  // namespace faxemu
