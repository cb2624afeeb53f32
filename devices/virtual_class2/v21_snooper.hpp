// Listens to the far end's V.21 channel 2 (the T.30 control channel) on the line
// audio, independently of T.30: the Class 2 modem learns the remote DIS/CSI this
// way while it holds its own T.30 back until the host has supplied a page.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

struct fsk_rx_state_s;
struct hdlc_rx_state_s;

namespace faxemu::vclass2 {

class V21Snooper {
  public:
    // A good frame (address, control, FCF, FIF; no FCS).
    using FrameSink = std::function<void(const std::vector<std::uint8_t>& frame)>;

    explicit V21Snooper(FrameSink sink);
    ~V21Snooper();
    V21Snooper(const V21Snooper&) = delete;
    V21Snooper& operator=(const V21Snooper&) = delete;

    void receive(const std::int16_t* samples, int n);
    bool carrier() const { return carrier_; }
    // Samples since the V.21 carrier last dropped (0 while it is up).
    std::int64_t samples_since_carrier() const { return carrier_ ? 0 : since_carrier_; }
    // Samples since the carrier last came up (counting from construction if never).
    std::int64_t samples_since_carrier_up() const { return since_up_; }

  private:
    static void put_bit(void* user, int bit);
    static void on_frame(void* user, const std::uint8_t* pkt, int len, int ok);

    FrameSink sink_;
    fsk_rx_state_s* fsk_ = nullptr;
    hdlc_rx_state_s* hdlc_ = nullptr;
    bool carrier_ = false;
    std::int64_t since_carrier_ = 1'000'000;
    std::int64_t since_up_ = 0;
};

}  // namespace faxemu::vclass2
