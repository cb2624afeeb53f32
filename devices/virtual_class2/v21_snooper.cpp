#include "devices/virtual_class2/v21_snooper.hpp"

#include <spandsp.h>

#include <stdexcept>

namespace faxemu::vclass2 {

V21Snooper::V21Snooper(FrameSink sink) : sink_(std::move(sink)) {
    hdlc_ = hdlc_rx_init(nullptr, FALSE, FALSE, 5, &V21Snooper::on_frame, this);
    fsk_ = fsk_rx_init(nullptr, &preset_fsk_specs[FSK_V21CH2], FSK_FRAME_MODE_SYNC,
                       &V21Snooper::put_bit, this);
    if (hdlc_ == nullptr || fsk_ == nullptr) throw std::runtime_error("spandsp: V.21 receiver");
    // As sensitive as T.30's own V.21 receiver, so a weak line is heard alike.
    fsk_rx_signal_cutoff(fsk_, -45.5f);
}

V21Snooper::~V21Snooper() {
    if (fsk_) fsk_rx_free(fsk_);
    if (hdlc_) hdlc_rx_free(hdlc_);
}

void V21Snooper::receive(const std::int16_t* samples, int n) {
    fsk_rx(fsk_, samples, n);
    if (!carrier_) since_carrier_ += n;
    since_up_ += n;
}

void V21Snooper::put_bit(void* user, int bit) {
    auto* self = static_cast<V21Snooper*>(user);
    if (bit < 0) {
        // Status changes come as negative "bits" (SIG_STATUS_*).
        if (bit == SIG_STATUS_CARRIER_UP) {
            self->carrier_ = true;
            self->since_up_ = 0;
        } else if (bit == SIG_STATUS_CARRIER_DOWN) {
            self->carrier_ = false;
            self->since_carrier_ = 0;
        }
    }
    hdlc_rx_put_bit(self->hdlc_, bit);
}

void V21Snooper::on_frame(void* user, const std::uint8_t* pkt, int len, int ok) {
    auto* self = static_cast<V21Snooper*>(user);
    if (len <= 0 || !ok) return;  // status reports and bad frames
    self->sink_(std::vector<std::uint8_t>(pkt, pkt + len));
}

}  // namespace faxemu::vclass2
