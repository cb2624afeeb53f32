// A virtual modem's engine: the part that talks AT to a host (DTE) on one side
// and carries audio on a line of the virtual exchange on the other. What hosts it
// on a pseudo-terminal (PtyModem) is the same for every kind of engine: spandsp's
// T.31 (Class 1), our own Class 2/2.0 layer, or one that answers all classes.
//
// Engines are single-threaded: bytes from the host, line blocks and ticks all
// come on the thread that steps the exchange.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "devices/virtual_exchange.hpp"

namespace faxemu {

class ModemEngine : public LineEndpoint {
  public:
    // Where the engine's bytes for the host go (result codes, received data).
    using HostWriter = std::function<void(const std::uint8_t* data, std::size_t n)>;

    ~ModemEngine() override = default;

    virtual void set_host_writer(HostWriter writer) = 0;
    // Bytes the host wrote. The engine takes all of them: while its flow control
    // holds the host off it queues what is still in flight.
    virtual void host_bytes(const std::uint8_t* data, std::size_t n) = 0;
    // The number on the exchange this engine's line is attached under.
    virtual const std::string& number() const = 0;
    // Called once per exchange step, after the line blocks (timers, queued input).
    virtual void tick() {}
};

}  // namespace faxemu
