#include "core/audio_fax_channel.hpp"

#include <spandsp.h>

#include <algorithm>
#include <stdexcept>

namespace faxemu {

AudioFaxChannel::AudioFaxChannel(bool calling_party, SessionDirection direction,
                                 const SessionConfig& config, const std::filesystem::path& file,
                                 T30Session::EventSink sink, int first_page, int last_page)
    : fax_(fax_init(nullptr, calling_party ? TRUE : FALSE)) {
    if (fax_ == nullptr) throw std::runtime_error("spandsp: fax_init failed");
    fax_set_transmit_on_idle(fax_, TRUE);
    session_ = std::make_unique<T30Session>(fax_get_t30_state(fax_), direction, config, file,
                                            std::move(sink), first_page, last_page);
}

AudioFaxChannel::~AudioFaxChannel() {
    // fax_release closes the TIFF files, so a received document is complete on disk after it.
    session_.reset();
    fax_free(fax_);  // releases T.30 (and its TIFF files) first
}

void AudioFaxChannel::transmit(std::int16_t* samples, int n) {
    int got = fax_tx(fax_, samples, n);
    if (got < n) std::fill(samples + std::max(got, 0), samples + n, std::int16_t{0});
}

void AudioFaxChannel::receive(const std::int16_t* samples, int n) {
    // spandsp's prototype is not const-correct; fax_rx does not write to the buffer.
    fax_rx(fax_, const_cast<std::int16_t*>(samples), n);
}

}  // namespace faxemu
