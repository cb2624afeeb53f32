// The virtual phone exchange: lines registered under numbers, dialling that rings
// the line there, busy and no-answer, audio carried between the two ends of a
// call in 20 ms blocks of 8 kHz samples, and faults (a line that drops).
//
// It is also the simulation loop of the design: step() moves every line on by one
// block and only then advances the virtual clock by 20 ms. Unpaced it runs as fast
// as the CPU allows; paced, it keeps line time tied to wall time at a given speed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace faxemu {

enum class LineEnd {
    Busy,       // the number dialled was in a call
    NoAnswer,   // it rang and nobody answered (or nobody is there)
    FarHangup,  // the other end hung up
    Dropped,    // the line itself failed
};

const char* to_string(LineEnd end);

// What a device plugs into its line. Calls come on the exchange's thread.
class LineEndpoint {
  public:
    virtual ~LineEndpoint() = default;
    virtual void line_ringing(int ring_count, const std::string& caller_id) = 0;
    virtual void line_connected() = 0;
    virtual void line_ended(LineEnd why) = 0;
    // One block: fill `out` with what this end sends, then take what it hears.
    virtual void line_transmit(std::int16_t* out, int n) = 0;
    virtual void line_receive(const std::int16_t* in, int n) = 0;
};

struct LineImpairment {
    float attenuation_db = 0;
    float noise_dbm0 = -70;
};

struct ExchangeTiming {
    Duration dial_delay = std::chrono::seconds(2);           // dialling until the first ring / busy
    Duration ring_period = std::chrono::seconds(6);          // 2 s on, 4 s off
    Duration no_answer_timeout = std::chrono::seconds(60);   // T0 of T.30
    Duration hangup_grace = std::chrono::milliseconds(200);  // the far end hears the tail
};

class VirtualExchange {
  public:
    static constexpr Duration kBlock = std::chrono::milliseconds(20);

    explicit VirtualExchange(VirtualClock& clock, ExchangeTiming timing = {});
    ~VirtualExchange();

    VirtualClock& clock() { return clock_; }
    const ExchangeTiming& timing() const { return timing_; }

    void attach(const std::string& number, LineEndpoint& endpoint);
    void detach(const std::string& number);

    // Requests from the endpoint on `number`.
    void dial(const std::string& from, const std::string& to);
    void answer(const std::string& number);
    void hangup(const std::string& number);

    // Fault: the call that `number` is in (or will be in) drops `after` from now.
    void drop_call(const std::string& number, Duration after);

    // Fault: the call `number` is in carries no signal either way for `length`,
    // from `after` from now (a carrier lost mid-page while the call stays up).
    void silence_call(const std::string& number, Duration after, Duration length);

    // Fault: a poor line. Both directions of the calls of `number` from now on are
    // attenuated and get white noise added; nullopt makes the line clean again.
    // A low enough signal-to-noise ratio makes the fast modems fail training, so
    // T.30 falls back (e.g. 27 dB loss with noise at -56 dBm0: V.17 14400 down to 7200).
    void set_impairment(const std::string& number, std::optional<LineImpairment> impairment);

    // Line-time speed: 0 = unpaced (virtual time, as fast as possible), 1 = real time.
    void set_speed(double speed) { speed_ = speed; }

    // Called at the end of every step, e.g. to poll the ports (PortBank::poll).
    void on_tick(std::function<void()> hook) { tick_hooks_.push_back(std::move(hook)); }

    void step();
    bool active() const { return !calls_.empty(); }
    // Steps until `done` is true or `limit` of line time has passed; true if done.
    bool run_until(const std::function<bool()>& done, Duration limit);

  private:
    struct Call;
    struct Line;
    class Noise;
    Line* line(const std::string& number);
    void end_call(Call& call, LineEnd caller_end, LineEnd callee_end);
    void pace();

    VirtualClock& clock_;
    ExchangeTiming timing_;
    std::map<std::string, std::unique_ptr<Line>> lines_;
    std::vector<std::unique_ptr<Call>> calls_;
    double speed_ = 0;
    std::int64_t paced_blocks_ = 0;
    std::chrono::steady_clock::time_point paced_start_{};
    std::vector<std::int16_t> a_, b_;
    std::vector<std::function<void()>> tick_hooks_;
};

}  // namespace faxemu
