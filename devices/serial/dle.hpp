// DLE transparency on the serial line (T.31 §4.5 / T.32 §8.2.2; fax-landscape.md
// "Serial-line rules"): in fax data every DLE (0x10) is doubled, <DLE><ETX> ends a
// frame or a page. Class 2.0 modems may send <DLE><SUB> for two data DLEs; other
// <DLE><x> pairs are commands (Class 2.0 <DLE>',' next page, <DLE>'.' end of
// document; Class 1.0 <DLE><EOT>; ...) and are handed to the owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace faxemu {

namespace dle {
constexpr std::uint8_t DLE = 0x10;
constexpr std::uint8_t ETX = 0x03;
constexpr std::uint8_t EOT = 0x04;
constexpr std::uint8_t SUB = 0x1A;
constexpr std::uint8_t CAN = 0x18;
constexpr std::uint8_t DC1 = 0x11;  // XON; Class 2 receive trigger
constexpr std::uint8_t DC2 = 0x12;  // Class 2.0 receive trigger
constexpr std::uint8_t DC3 = 0x13;  // XOFF
}  // namespace dle

// Appends `data` to `out` with every DLE doubled.
void dle_stuff_append(std::vector<std::uint8_t>& out, const std::uint8_t* data, std::size_t n);
// Appends <DLE><ETX>.
void dle_append_end(std::vector<std::uint8_t>& out);
// `data` stuffed, followed by <DLE><ETX> when `end` is set.
std::vector<std::uint8_t> dle_stuff(const std::uint8_t* data, std::size_t n, bool end = true);
inline std::vector<std::uint8_t> dle_stuff(const std::vector<std::uint8_t>& data, bool end = true) {
    return dle_stuff(data.data(), data.size(), end);
}

// Incremental unstuffing of bytes received from the modem. feed() stops right after
// <DLE><ETX>, so the caller can hand the rest (e.g. "\r\nOK\r\n") to line parsing.
class DleDecoder {
  public:
    struct Options {
        // Class 2.0: <DLE><SUB> stands for <DLE><DLE> (two data DLEs).
        bool sub_is_two_dles = false;
        // HylaFAX's Class1ModemHasDLEBug: some modems do not double DLE in received
        // (V.21 HDLC) data. Then a DLE followed by anything but DLE, ETX (or SUB when
        // sub_is_two_dles) is taken as a data DLE and the byte after it is decoded
        // afresh, instead of being reported as a command pair. <DLE><DLE> still
        // means one DLE: the two cannot be told apart on the wire.
        bool tolerate_undoubled_dle = false;
    };
    // A <DLE><x> pair that is not data nor the end, e.g. Class 2.0 <DLE>',' or
    // Class 1.0 <DLE><EOT>. Decoding continues after it.
    using CodeHandler = std::function<void(std::uint8_t code)>;

    struct Result {
        std::size_t consumed = 0;  // bytes of the input used (up to and incl. <DLE><ETX>)
        bool end = false;          // <DLE><ETX> was seen
    };

    DleDecoder() = default;
    explicit DleDecoder(Options options) : options_(options) {}

    void set_code_handler(CodeHandler handler) { on_code_ = std::move(handler); }
    const Options& options() const { return options_; }

    // Decodes `data`, appending data bytes to `out`. A DLE at the end of `data` is
    // remembered for the next call.
    Result feed(const std::uint8_t* data, std::size_t n, std::vector<std::uint8_t>& out);
    // Forgets a half-received pair (start of a new frame).
    void reset() { pending_dle_ = false; }
    bool pending_dle() const { return pending_dle_; }

  private:
    Options options_;
    CodeHandler on_code_;
    bool pending_dle_ = false;
};

}  // namespace faxemu
