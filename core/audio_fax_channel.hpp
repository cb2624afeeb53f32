// The audio front end of a T.30 call: spandsp's fax modems (V.21, V.27ter, V.29,
// V.17) turning a T30Session into 8 kHz linear samples and back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/t30_session.hpp"

struct fax_state_s;

namespace faxemu {

inline constexpr int kSampleRate = 8000;
inline constexpr int kBlockSamples = 160;  // 20 ms, the line's block

class AudioFaxChannel {
  public:
    // The calling party sends CNG and waits for the answerer's DIS.
    AudioFaxChannel(bool calling_party, SessionDirection direction, const SessionConfig& config,
                    const std::filesystem::path& file, T30Session::EventSink sink,
                    int first_page = 0, int last_page = -1);
    ~AudioFaxChannel();
    AudioFaxChannel(const AudioFaxChannel&) = delete;
    AudioFaxChannel& operator=(const AudioFaxChannel&) = delete;

    // Fills exactly `n` samples (silence where the modem has nothing to say).
    void transmit(std::int16_t* samples, int n);
    void receive(const std::int16_t* samples, int n);

    T30Session& session() { return *session_; }
    const T30Session& session() const { return *session_; }

  private:
    fax_state_s* fax_;
    std::unique_ptr<T30Session> session_;
};

}  // namespace faxemu
