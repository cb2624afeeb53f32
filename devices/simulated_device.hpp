// A simulated fax port: a line on the virtual exchange and spandsp's audio fax
// modems behind the Device seam, so the server drives it exactly as a modem.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/audio_fax_channel.hpp"
#include "core/device.hpp"
#include "devices/virtual_exchange.hpp"

namespace faxemu {

class SimulatedDevice final : public Device, private LineEndpoint {
  public:
    SimulatedDevice(VirtualExchange& exchange, std::string number);
    ~SimulatedDevice() override;

    std::string kind() const override { return "simulated"; }
    const std::string& number() const { return number_; }
    void set_listener(DeviceListener* listener) override { listener_ = listener; }
    void dial(const OutboundCall& call) override;
    void answer(const InboundCall& call) override;
    void hangup() override;
    bool idle() const override { return state_ == State::Idle; }
    std::uint64_t call_progress() const override {
        return channel_ ? channel_->session().progress() : 0;
    }
    DeviceHealth health() const override {
        return {true, {}, "simulated line " + number_ + " on the virtual exchange"};
    }

  private:
    enum class State { Idle, Dialing, Ringing, Answering, InCall };

    void line_ringing(int ring_count, const std::string& caller_id) override;
    void line_connected() override;
    void line_ended(LineEnd why) override;
    void line_transmit(std::int16_t* out, int n) override;
    void line_receive(const std::int16_t* in, int n) override;

    void on_session_event(const SessionEvent& event);
    void finish_if_done();
    void end_call(const CallOutcome& outcome);

    VirtualExchange& exchange_;
    std::string number_;
    DeviceListener* listener_ = nullptr;
    State state_ = State::Idle;
    std::optional<OutboundCall> outbound_;
    std::optional<InboundCall> inbound_;
    std::unique_ptr<AudioFaxChannel> channel_;
};

}  // namespace faxemu
