// A serial line to a modem: a real tty (/dev/ttyS*, /dev/ttyUSB*, /dev/ttyACM*) or a
// pseudo-terminal slave (a symlink to either is fine), driven asynchronously on the
// owner's io_context. 8N1, raw, no echo, no kernel XON/XOFF.
//
// Flow control:
//  - RtsCts: the kernel does it (termios CRTSCTS).
//  - XonXoff: done here in user space, because kernel IXON would also eat 0x11/0x13
//    bytes inside received fax data. The owner says when incoming XON/XOFF are flow
//    control (set_inbound_flow_control(true), e.g. only while it sends page data);
//    then they are taken out of the byte stream and pause/resume the write queue.
//    The owner may also pause/resume the queue itself (e.g. to wait for the first XON).
//    On a real tty an incoming XOFF also suspends the kernel's output (tcflow
//    TCOOFF), so what is already in the driver's buffer stops too; a pty has no
//    transmission delay and is left alone (its byte counts stay exact).
//
// Counters (bytes_read/bytes_written) count completed operations only; the
// virtual-time settle loop compares them with the modem's counters.
//
// Single-threaded: every handler runs on the io_context's thread, never from inside
// a call to write() or open().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio.hpp>

#include "devices/serial/uucp_lock.hpp"

namespace faxemu {

enum class FlowControl { None, XonXoff, RtsCts };

const char* to_string(FlowControl flow);

struct SerialSettings {
    unsigned baud = 115200;
    FlowControl flow = FlowControl::None;
    // Largest single write handed to the kernel. Small chunks bound how much is
    // already in the tty's output buffer when the modem sends XOFF.
    std::size_t max_write_chunk = 256;
};

class SerialLine {
  public:
    // Bytes received (XON/XOFF already removed while inbound flow control is on).
    using ReadHandler = std::function<void(const std::uint8_t* data, std::size_t n)>;
    // The line failed and is now closed: the device vanished (EOF/EIO, e.g. a USB
    // adapter unplugged or the pty master closed) or a read/write failed. The
    // message names the device.
    using ErrorHandler = std::function<void(const std::string& message)>;
    // The write queue was paused (true) or resumed (false) by an incoming XOFF/XON.
    using FlowHandler = std::function<void(bool paused)>;

    static constexpr std::uint8_t XON = 0x11;
    static constexpr std::uint8_t XOFF = 0x13;

    SerialLine(asio::io_context& io, std::filesystem::path device, SerialSettings settings = {});
    ~SerialLine();
    SerialLine(const SerialLine&) = delete;
    SerialLine& operator=(const SerialLine&) = delete;

    // Opens and configures the device and starts the read loop. Throws FaxError
    // naming the device: ErrorCode::Io when it cannot be opened or configured,
    // ErrorCode::DeviceInUse when another live process holds its UUCP lock.
    // Opening an open line does nothing. Counters keep counting across reopen.
    void open();
    // Stops I/O, drops queued writes (and un-pauses), closes the fd. Pending
    // handlers are cancelled silently (no error callback).
    void close();
    bool is_open() const;

    const std::filesystem::path& device() const { return device_; }
    const SerialSettings& settings() const { return settings_; }
    // Changes the baud rate / flow control; applied at once when open.
    void set_baud(unsigned baud);
    void set_flow_control(FlowControl flow);
    // When set, open() first takes the UUCP lock for the device in this folder
    // (normally UucpLock::default_lock_dir()) and close() releases it, so mgetty,
    // efax or minicom see the device busy. Unset (the default): no lock (tests,
    // private ptys). Takes effect at the next open().
    void set_lock_dir(std::optional<std::filesystem::path> dir) { lock_dir_ = std::move(dir); }
    const std::optional<std::filesystem::path>& lock_dir() const { return lock_dir_; }

    void set_read_handler(ReadHandler handler) { on_read_ = std::move(handler); }
    // Hands bytes to the read handler as if the device had sent them. The read
    // loop delivers through it; the fuzz targets (tests/fuzz) feed a parser with
    // it on a line that was never opened.
    void deliver_received(const std::uint8_t* data, std::size_t n);
    void set_error_handler(ErrorHandler handler) { on_error_ = std::move(handler); }
    void set_flow_handler(FlowHandler handler) { on_flow_ = std::move(handler); }

    // Queues bytes for writing (in order). Ignored when the line is closed.
    void write(const std::uint8_t* data, std::size_t n);
    void write(std::string_view text);
    void write(const std::vector<std::uint8_t>& bytes) { write(bytes.data(), bytes.size()); }

    // XON/XOFF in user space (see the top of this file). Inbound flow control only
    // acts when the line's flow control is XonXoff. Turning it off does not resume
    // a paused queue (call resume_output() when a lost XON must not hold it).
    void set_inbound_flow_control(bool on);
    bool inbound_flow_control() const { return inbound_flow_; }
    void pause_output();
    void resume_output();
    bool output_paused() const { return paused_; }

    // Drops bytes received by the kernel but not yet read (tcflush TCIFLUSH).
    void discard_input();
    // Sets or clears DTR (a modem hangs up on DTR drop when AT&D2). Returns false
    // where the device has no modem lines (a pty).
    bool set_dtr(bool on);

    // Completed reads/writes since construction.
    std::uint64_t bytes_read() const { return bytes_read_; }
    std::uint64_t bytes_written() const { return bytes_written_; }
    // Bytes queued but not yet written (includes a write in flight).
    std::size_t pending_write_bytes() const { return queued_bytes_; }

  private:
    void configure();
    void start_read();
    void start_write();
    void fail(const std::string& what, const asio::error_code& ec);

    asio::io_context& io_;
    std::filesystem::path device_;
    SerialSettings settings_;
    std::unique_ptr<asio::serial_port> port_;
    std::optional<std::filesystem::path> lock_dir_;
    UucpLock lock_;
    // Guards handlers that complete after close()/reopen or destruction.
    std::shared_ptr<int> generation_;

    ReadHandler on_read_;
    ErrorHandler on_error_;
    FlowHandler on_flow_;

    std::vector<std::uint8_t> read_buffer_;
    std::deque<std::vector<std::uint8_t>> write_queue_;
    std::size_t write_offset_ = 0;  // into write_queue_.front()
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool paused_ = false;
    bool inbound_flow_ = false;
    bool is_pty_ = false;          // a pseudo-terminal slave (no tcflow on XOFF)
    bool kernel_stopped_ = false;  // tcflow(TCOOFF) is in force

    std::uint64_t bytes_read_ = 0;
    std::uint64_t bytes_written_ = 0;
};

}  // namespace faxemu
