#include "devices/virtual_modem/pty_modem.hpp"

#include <unistd.h>

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <stdexcept>

namespace faxemu {

PtyModem::PtyModem(asio::io_context& io, std::unique_ptr<ModemEngine> engine,
                   std::filesystem::path link)
    : engine_(std::move(engine)),
      pty_(std::move(link)),
      master_(io),
      read_buf_(4096),
      alive_(std::make_shared<bool>(true)) {
    if (!engine_) throw std::invalid_argument("PtyModem: no engine");
    // The stream descriptor closes what it owns; the Pty keeps its own master.
    const int fd = ::dup(pty_.master_fd());
    if (fd < 0) throw std::runtime_error("PtyModem " + device_path().string() + ": dup failed");
    master_.assign(fd);
    master_.non_blocking(true);
    engine_->set_host_writer([this](const std::uint8_t* data, std::size_t n) { queue(data, n); });
    start_read();
}

PtyModem::~PtyModem() {
    *alive_ = false;
    engine_->set_host_writer(nullptr);
    asio::error_code ec;
    master_.close(ec);
}

std::filesystem::path PtyModem::device_path() const {
    return pty_.device_path();
}

std::size_t PtyModem::pending_to_host() const {
    std::size_t n = 0;
    for (const auto& b : out_) n += b.size();
    return n - out_offset_;
}

void PtyModem::start_read() {
    auto alive = alive_;
    master_.async_read_some(asio::buffer(read_buf_),
                            [this, alive](const asio::error_code& ec, std::size_t n) {
                                if (!*alive) return;
                                if (ec) {
                                    // EIO cannot happen while our slave is open; anything else
                                    // ends the modem's input.
                                    if (ec != asio::error::operation_aborted) fail("reading", ec);
                                    return;
                                }
                                from_host_ += n;
                                engine_->host_bytes(read_buf_.data(), n);
                                start_read();
                            });
}

void PtyModem::fail(const char* what, const asio::error_code& ec) {
    error_ = device_path().string() + ": " + what + " the pty master: " + ec.message();
}

void PtyModem::queue(const std::uint8_t* data, std::size_t n) {
    if (n == 0) return;
    out_.emplace_back(data, data + n);
    if (!writing_) start_write();
}

void PtyModem::start_write() {
    if (out_.empty()) {
        writing_ = false;
        return;
    }
    writing_ = true;
    auto alive = alive_;
    const auto& front = out_.front();
    master_.async_write_some(asio::buffer(front.data() + out_offset_, front.size() - out_offset_),
                             [this, alive](const asio::error_code& ec, std::size_t n) {
                                 if (!*alive) return;
                                 if (ec) {
                                     writing_ = false;
                                     if (ec != asio::error::operation_aborted) fail("writing", ec);
                                     return;
                                 }
                                 to_host_ += n;
                                 out_offset_ += n;
                                 if (out_offset_ == out_.front().size()) {
                                     out_.pop_front();
                                     out_offset_ = 0;
                                 }
                                 start_write();
                             });
}

}  // namespace faxemu
