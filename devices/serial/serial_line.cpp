#include "devices/serial/serial_line.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace faxemu {

namespace {

speed_t speed_constant(unsigned baud) {
    switch (baud) {
        case 1200:
            return B1200;
        case 2400:
            return B2400;
        case 4800:
            return B4800;
        case 9600:
            return B9600;
        case 19200:
            return B19200;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 115200:
            return B115200;
        case 230400:
            return B230400;
        case 460800:
            return B460800;
        case 921600:
            return B921600;
        default:
            return B0;
    }
}

}  // namespace

const char* to_string(FlowControl flow) {
    switch (flow) {
        case FlowControl::None:
            return "none";
        case FlowControl::XonXoff:
            return "xonxoff";
        case FlowControl::RtsCts:
            return "rtscts";
    }
    return "?";
}

SerialLine::SerialLine(asio::io_context& io, std::filesystem::path device, SerialSettings settings)
    : io_(io),
      device_(std::move(device)),
      settings_(settings),
      generation_(std::make_shared<int>(0)),
      read_buffer_(4096) {
    if (settings_.max_write_chunk == 0) settings_.max_write_chunk = 1;
}

SerialLine::~SerialLine() {
    on_read_ = nullptr;
    on_error_ = nullptr;
    on_flow_ = nullptr;
    close();
}

bool SerialLine::is_open() const {
    return port_ && port_->is_open();
}

void SerialLine::open() {
    if (is_open()) return;
    if (speed_constant(settings_.baud) == B0)
        throw FaxError(ErrorCode::InvalidParameter, device_.string() + ": unsupported baud rate " +
                                                        std::to_string(settings_.baud));
    UucpLock lock;  // released again if opening fails
    if (lock_dir_) lock = UucpLock::acquire(device_, *lock_dir_);
    auto port = std::make_unique<asio::serial_port>(io_);
    asio::error_code ec;
    port->open(device_.string(), ec);
    if (ec)
        throw FaxError(ErrorCode::Io,
                       "cannot open serial device " + device_.string() + ": " + ec.message());
    port_ = std::move(port);
    try {
        configure();
    } catch (...) {
        port_.reset();
        throw;
    }
    lock_ = std::move(lock);
    struct stat st {};
    // Unix98 pty slaves have majors 136-143 (Documentation/admin-guide/devices.txt).
    is_pty_ = ::fstat(port_->native_handle(), &st) == 0 && major(st.st_rdev) >= 136 &&
              major(st.st_rdev) <= 143;
    kernel_stopped_ = false;
    generation_ = std::make_shared<int>(0);
    paused_ = false;
    inbound_flow_ = false;
    start_read();
}

void SerialLine::configure() {
    const int fd = port_->native_handle();
    termios tio{};
    if (::tcgetattr(fd, &tio) != 0)
        throw FaxError(ErrorCode::Io, "cannot configure serial device " + device_.string() +
                                          ": tcgetattr: " + std::strerror(errno));
    ::cfmakeraw(&tio);
    tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | CSTOPB | CRTSCTS);
    tio.c_cflag |= CS8 | CREAD | CLOCAL;
    // Kernel XON/XOFF stays off: 0x11/0x13 are data in fax pages (see header).
    tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    if (settings_.flow == FlowControl::RtsCts) tio.c_cflag |= CRTSCTS;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    const speed_t speed = speed_constant(settings_.baud);
    ::cfsetispeed(&tio, speed);
    ::cfsetospeed(&tio, speed);
    if (::tcsetattr(fd, TCSANOW, &tio) != 0)
        throw FaxError(ErrorCode::Io, "cannot configure serial device " + device_.string() +
                                          ": tcsetattr: " + std::strerror(errno));
}

void SerialLine::set_baud(unsigned baud) {
    if (speed_constant(baud) == B0)
        throw FaxError(ErrorCode::InvalidParameter,
                       device_.string() + ": unsupported baud rate " + std::to_string(baud));
    settings_.baud = baud;
    if (is_open()) configure();
}

void SerialLine::set_flow_control(FlowControl flow) {
    settings_.flow = flow;
    if (flow != FlowControl::XonXoff && paused_) resume_output();
    if (is_open()) configure();
}

void SerialLine::close() {
    generation_ = std::make_shared<int>(0);  // orphans handlers still queued
    if (port_ && kernel_stopped_) ::tcflow(port_->native_handle(), TCOON);
    kernel_stopped_ = false;
    if (port_) {
        asio::error_code ignored;
        port_->cancel(ignored);
        port_->close(ignored);
        port_.reset();
    }
    lock_.release();
    write_queue_.clear();
    write_offset_ = 0;
    queued_bytes_ = 0;
    writing_ = false;
    paused_ = false;
    inbound_flow_ = false;
}

void SerialLine::start_read() {
    std::weak_ptr<int> gen = generation_;
    port_->async_read_some(
        asio::buffer(read_buffer_), [this, gen](const asio::error_code& ec, std::size_t n) {
            if (gen.expired()) return;
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
                fail("read", ec);
                return;
            }
            bytes_read_ += n;
            std::uint8_t* data = read_buffer_.data();
            if (inbound_flow_ && settings_.flow == FlowControl::XonXoff) {
                // Take XON/XOFF out of the stream and act on them.
                std::size_t kept = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    if (data[i] == XOFF) {
                        if (!paused_) {
                            paused_ = true;
                            if (!is_pty_ && ::tcflow(port_->native_handle(), TCOOFF) == 0)
                                kernel_stopped_ = true;
                            if (on_flow_) on_flow_(true);
                        }
                    } else if (data[i] == XON) {
                        if (paused_) resume_output();
                    } else {
                        data[kept++] = data[i];
                    }
                    if (gen.expired()) return;
                }
                n = kept;
            }
            deliver_received(data, n);
            if (gen.expired() || !is_open()) return;
            start_read();
        });
}

void SerialLine::deliver_received(const std::uint8_t* data, std::size_t n) {
    if (n == 0 || !on_read_) return;
    // A copy: the handler may close or destroy this line (and reuse the buffer).
    const std::vector<std::uint8_t> chunk(data, data + n);
    const ReadHandler handler = on_read_;
    handler(chunk.data(), chunk.size());
}

void SerialLine::write(const std::uint8_t* data, std::size_t n) {
    if (!is_open() || n == 0) return;
    write_queue_.emplace_back(data, data + n);
    queued_bytes_ += n;
    start_write();
}

void SerialLine::write(std::string_view text) {
    write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

void SerialLine::start_write() {
    if (writing_ || paused_ || write_queue_.empty() || !is_open()) return;
    writing_ = true;
    const auto& front = write_queue_.front();
    const std::size_t len = std::min(front.size() - write_offset_, settings_.max_write_chunk);
    std::weak_ptr<int> gen = generation_;
    port_->async_write_some(asio::buffer(front.data() + write_offset_, len),
                            [this, gen](const asio::error_code& ec, std::size_t n) {
                                if (gen.expired()) return;
                                writing_ = false;
                                if (ec) {
                                    if (ec == asio::error::operation_aborted) return;
                                    fail("write", ec);
                                    return;
                                }
                                bytes_written_ += n;
                                queued_bytes_ -= n;
                                write_offset_ += n;
                                if (write_offset_ == write_queue_.front().size()) {
                                    write_queue_.pop_front();
                                    write_offset_ = 0;
                                }
                                start_write();
                            });
}

void SerialLine::set_inbound_flow_control(bool on) {
    inbound_flow_ = on;
}

void SerialLine::pause_output() {
    paused_ = true;
}

void SerialLine::resume_output() {
    if (!paused_) return;
    paused_ = false;
    if (kernel_stopped_ && is_open()) ::tcflow(port_->native_handle(), TCOON);
    kernel_stopped_ = false;
    if (on_flow_) on_flow_(false);
    start_write();
}

void SerialLine::discard_input() {
    if (is_open()) ::tcflush(port_->native_handle(), TCIFLUSH);
}

bool SerialLine::set_dtr(bool on) {
    if (!is_open()) return false;
    int bits = TIOCM_DTR;
    return ::ioctl(port_->native_handle(), on ? TIOCMBIS : TIOCMBIC, &bits) == 0;
}

void SerialLine::fail(const std::string& what, const asio::error_code& ec) {
    std::string message;
    if (ec == asio::error::eof || ec.value() == EIO || ec.value() == ENXIO || ec.value() == ENODEV)
        message =
            "serial device " + device_.string() + " vanished (" + what + ": " + ec.message() + ")";
    else
        message =
            "serial device " + device_.string() + " failed (" + what + ": " + ec.message() + ")";
    close();
    const ErrorHandler handler = on_error_;  // it may destroy this line
    if (handler) handler(message);
}

}  // namespace faxemu
