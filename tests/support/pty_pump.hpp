// Pumping the io_context that serves a pseudo-terminal, for tests: run it until
// a condition holds (with a wall deadline, as the kernel moves the bytes), and
// the one test of "no byte in flight" between a host's line (SerialLine or
// ModemLine) and the modem on the pty's other side (PtyModem or a scripted
// FakeModem) that every settle loop of the device tests waits for.
#pragma once

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>

namespace faxemu::test {

// Runs `io` until `done()` holds; false after `wall` of real time (a hang).
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds wall = std::chrono::seconds{5}) {
    const auto deadline = std::chrono::steady_clock::now() + wall;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds{5});
    }
    return true;
}

// All the host wrote has reached the modem, and all the modem wrote has been
// read by the host, or waits in the pty while the host's line is closed.
// `unread`: bytes of the modem's written off (a host that closed its line).
template <class Line, class Modem>
bool nothing_in_flight(const Line& line, const Modem& modem, std::uint64_t unread = 0) {
    if constexpr (requires { line.output_in_flight(); }) {
        if (line.output_in_flight()) return false;  // ModemLine: not while flow control holds it
    } else {
        if (line.pending_write_bytes() > 0) return false;
    }
    return modem.pending_to_host() == 0 && line.bytes_written() == modem.bytes_from_host() &&
           (!line.is_open() || modem.bytes_to_host() - unread == line.bytes_read());
}

// Runs `io` until nothing is in flight between `line` and `modem` either way.
template <class Line, class Modem>
bool settle(asio::io_context& io, const Line& line, const Modem& modem) {
    return run_until(io, [&] {
        if (io.stopped()) io.restart();
        io.poll();
        return nothing_in_flight(line, modem);
    });
}

}  // namespace faxemu::test
