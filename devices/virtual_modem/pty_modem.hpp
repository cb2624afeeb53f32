// Hosts any ModemEngine on a pseudo-terminal with Asio: whatever the host writes
// to the slave is read from the master at once and handed to the engine (which
// queues it while its own flow control holds the host off); what the engine says
// is written to the master in order. Counters are exact, so a test on virtual
// time can settle "no bytes in flight" before each exchange step.
//
// The engine is not attached to the exchange here: see LineAttachment.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "devices/virtual_modem/modem_engine.hpp"
#include "devices/virtual_modem/pty.hpp"

namespace faxemu {

class PtyModem {
  public:
    PtyModem(asio::io_context& io, std::unique_ptr<ModemEngine> engine,
             std::filesystem::path link = {});  // optional stable symlink, e.g. /tmp/ttyFAX0
    ~PtyModem();
    PtyModem(const PtyModem&) = delete;
    PtyModem& operator=(const PtyModem&) = delete;

    std::filesystem::path device_path() const;  // the symlink if given, else the slave
    std::uint64_t bytes_from_host() const { return from_host_; }  // read from the master so far
    std::uint64_t bytes_to_host() const { return to_host_; }  // written to the master (completed)
    // Bytes the engine has produced that are not yet written to the master.
    std::size_t pending_to_host() const;
    ModemEngine& engine() { return *engine_; }
    // Why the master stopped reading or writing ("" while all is well), naming the device.
    const std::string& error() const { return error_; }

  private:
    void start_read();
    void start_write();
    void queue(const std::uint8_t* data, std::size_t n);
    void fail(const char* what, const asio::error_code& ec);

    std::unique_ptr<ModemEngine> engine_;
    Pty pty_;
    asio::posix::stream_descriptor master_;
    std::vector<std::uint8_t> read_buf_;
    std::deque<std::vector<std::uint8_t>> out_;
    std::size_t out_offset_ = 0;  // written part of out_.front()
    bool writing_ = false;
    std::uint64_t from_host_ = 0;
    std::uint64_t to_host_ = 0;
    std::shared_ptr<bool> alive_;
    std::string error_;
};

}  // namespace faxemu
