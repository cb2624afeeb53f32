// Fuzzes how the AT channel (devices/serial/at_channel) reads what a modem
// sends: final and information lines, V0 numeric codes, unsolicited lines,
// garbage, and data mode with DLE decoding and the way back to lines. Whatever
// sits on the serial port (a modem on a noisy line, a device that is no modem)
// can send any bytes, split into reads anywhere.
//
// The input is a script read front to back (so that seeds are easy to write,
// see fixtures/fuzz/make_seeds.sh): one byte of settings, then steps, each an
// operation byte and its operands:
//   op % 5 == 0 or 1   a read: length byte L, then L + 1 bytes from the modem
//   op % 5 == 2        time passes: byte T, T * 20 ms, then poll()
//   op % 5 == 3        a command (when none waits): byte B, B & 1 sends AT+FDT
//                      (else waits for a result), B & 2 adds the final "+FPTS:"
//   op % 5 == 4        byte B: B & 1 cancels the request, else leaves data mode
#include <fcntl.h>
#include <stdlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "devices/serial/at_channel.hpp"
#include "devices/serial/serial_line.hpp"
#include "devices/serial/task.hpp"

namespace {

using namespace faxemu;

// A pty slave for the line to open, so that commands see an open line. The
// io_context never runs: nothing is really written or read.
const std::string& pty_slave() {
    static const std::string path = [] {
        const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) std::abort();
        return std::string(::ptsname(master));  // the master stays open for the process
    }();
    return path;
}

// The script; reading past its end gives zeros and no bytes.
class Script {
  public:
    Script(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool done() const { return size_ == 0; }
    std::uint8_t byte() {
        if (size_ == 0) return 0;
        --size_;
        return *data_++;
    }
    std::vector<std::uint8_t> bytes(std::size_t n) {
        n = std::min(n, size_);
        std::vector<std::uint8_t> out(data_, data_ + n);
        data_ += n;
        size_ -= n;
        return out;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
};

bool printable(const std::string& s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
    return true;
}

// What every line the channel hands on must be: trimmed text of one line.
void check_line(const std::string& line) {
    if (line.empty() || line.size() >= AtChannel::max_line_length || !printable(line)) std::abort();
}

void check_response(const AtResponse& r) {
    for (const auto& line : r.lines) check_line(line);
    if (r.answered() ? r.final_line.empty() : r.error.empty()) std::abort();
}

// One request, awaited as a driver does; `on_response` sees its answer.
Task<> request_once(AtChannel& at, AtRequest request,
                    const std::function<void(const AtResponse&)>& on_response) {
    const AtResponse r = co_await at.command(std::move(request));
    on_response(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Script in(data, size);
    asio::io_context io;
    VirtualClock clock;
    SerialLine line(io, pty_slave());
    line.open();
    AtChannel at(line, clock);

    const std::uint8_t flags = in.byte();
    at.set_numeric_results((flags & 0x01) != 0);
    if (flags & 0x02) at.add_final("+FHNG:");
    if (flags & 0x04) at.add_unsolicited("+FHS:");
    DataSink sink;
    sink.raw = (flags & 0x08) != 0;
    sink.dle.sub_is_two_dles = (flags & 0x10) != 0;
    sink.dle.tolerate_undoubled_dle = (flags & 0x20) != 0;
    const bool data_after_connect = (flags & 0x40) != 0;
    std::size_t data_bytes = 0;
    sink.data = [&](const std::uint8_t*, std::size_t n) {
        data_bytes += n;
        // A raw sink decides itself when data ends, as the Class 1 driver does.
        if (sink.raw && data_bytes > 64) at.leave_data_mode();
    };
    sink.code = [](std::uint8_t) {};
    sink.end = [] {};
    at.set_unsolicited_handler(check_line);
    at.set_error_handler([](const std::string& message) {
        if (message.empty()) std::abort();
    });

    const std::function<void(const AtResponse&)> on_response = [&](const AtResponse& r) {
        check_response(r);
        if (r.result == AtResult::Connect && data_after_connect) {
            data_bytes = 0;
            at.enter_data_mode(sink);
        }
    };

    Task<> task;  // the request's coroutine; declared after the channel, so it goes first
    while (!in.done()) {
        switch (in.byte() % 5) {
            case 0:
            case 1: {
                const auto bytes = in.bytes(in.byte() + 1u);
                line.deliver_received(bytes.data(), bytes.size());
                break;
            }
            case 2:
                clock.advance(std::chrono::milliseconds(20 * in.byte()));
                at.poll();
                break;
            case 3: {
                const std::uint8_t b = in.byte();
                if (at.busy()) break;
                AtRequest request;
                request.command = (b & 1) ? "AT+FDT" : "";
                request.timeout = std::chrono::seconds(3);
                if (b & 2) request.extra_finals.push_back("+FPTS:");
                request.on_line = check_line;
                // A cancelled request's coroutine stays suspended; it goes here.
                task = request_once(at, std::move(request), on_response);
                task.start([] {});
                break;
            }
            case 4:
                if (in.byte() & 1)
                    at.cancel();
                else
                    at.leave_data_mode();
                break;
        }
    }
    return 0;
}
