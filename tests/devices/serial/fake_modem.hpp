// A small scripted modem on a real pseudo-terminal, for the serial tests: the test
// opens the slave (through SerialLine), the fake answers on the master.
//
// The script maps each command line (CR-terminated) to the bytes to answer, or to
// nothing (silence). Everything runs on the test's io_context; test::settle()
// (tests/support/pty_pump.hpp) runs it until no byte is in flight either way.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "core/clock.hpp"
#include "devices/serial/serial_line.hpp"
#include "tests/support/pty_pump.hpp"

namespace faxemu::test {

class FakeModem {
  public:
    using Script = std::function<std::optional<std::string>(const std::string& command)>;

    explicit FakeModem(asio::io_context& io) : master_(io) {
        const int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0) throw std::system_error(errno, std::generic_category(), "posix_openpt");
        if (::grantpt(m) != 0 || ::unlockpt(m) != 0)
            throw std::system_error(errno, std::generic_category(), "grantpt/unlockpt");
        slave_path_ = ::ptsname(m);
        // Keep a slave fd open, raw, so the master never sees EIO between host opens.
        slave_ = ::open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave_ < 0) throw std::system_error(errno, std::generic_category(), slave_path_);
        termios tio{};
        ::tcgetattr(slave_, &tio);
        ::cfmakeraw(&tio);
        ::tcsetattr(slave_, TCSANOW, &tio);
        master_.assign(m);
        master_.non_blocking(true);
        start_read();
    }
    ~FakeModem() {
        if (slave_ >= 0) ::close(slave_);
    }
    FakeModem(const FakeModem&) = delete;
    FakeModem& operator=(const FakeModem&) = delete;

    const std::string& slave_path() const { return slave_path_; }
    void set_script(Script s) { script_ = std::move(s); }
    // Host bytes that are not command lines (data mode) are kept in received().
    const std::string& received() const { return received_; }
    const std::vector<std::string>& commands() const { return commands_; }

    // Bytes to the host, in order.
    void send(const std::string& bytes) {
        if (!master_.is_open()) return;
        out_.push_back(bytes);
        pending_ += bytes.size();
        start_write();
    }
    // The modem goes away: master and our slave fd closed; the host then reads EOF/EIO.
    void vanish() {
        asio::error_code ignored;
        master_.close(ignored);
        if (slave_ >= 0) ::close(slave_);
        slave_ = -1;
        out_.clear();
        pending_ = 0;
    }

    std::uint64_t bytes_from_host() const { return from_host_; }
    std::uint64_t bytes_to_host() const { return to_host_; }
    std::size_t pending_to_host() const { return pending_; }

  private:
    void start_read() {
        master_.async_read_some(asio::buffer(buf_),
                                [this](const asio::error_code& ec, std::size_t n) {
                                    if (ec) return;  // closed (vanish) or the test is over
                                    from_host_ += n;
                                    for (std::size_t i = 0; i < n; ++i) {
                                        const char c = static_cast<char>(buf_[i]);
                                        received_.push_back(c);
                                        if (c == '\r') {
                                            // Commands are the text since the last CR/LF that
                                            // starts with AT.
                                            std::string line = line_;
                                            line_.clear();
                                            const auto at = line.find("AT");
                                            const auto at2 = line.find("at");
                                            const auto pos = std::min(at, at2);
                                            if (pos == std::string::npos) continue;
                                            line = line.substr(pos);
                                            commands_.push_back(line);
                                            if (script_)
                                                if (auto reply = script_(line)) send(*reply);
                                        } else if (c != '\n') {
                                            line_.push_back(c);
                                        }
                                    }
                                    start_read();
                                });
    }
    void start_write() {
        if (writing_ || out_.empty() || !master_.is_open()) return;
        writing_ = true;
        asio::async_write(master_, asio::buffer(out_.front()),
                          [this](const asio::error_code& ec, std::size_t n) {
                              writing_ = false;
                              if (ec) return;
                              to_host_ += n;
                              pending_ -= n;
                              out_.pop_front();
                              start_write();
                          });
    }

    asio::posix::stream_descriptor master_;
    int slave_ = -1;
    std::string slave_path_;
    Script script_;
    std::array<std::uint8_t, 4096> buf_{};
    std::string line_;
    std::string received_;
    std::vector<std::string> commands_;
    std::deque<std::string> out_;
    std::size_t pending_ = 0;
    bool writing_ = false;
    std::uint64_t from_host_ = 0;
    std::uint64_t to_host_ = 0;
};

}  // namespace faxemu::test
