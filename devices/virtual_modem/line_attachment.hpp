// Plugs a ModemEngine into the exchange: attaches it under engine.number() and
// calls engine.tick() after every exchange step; both undone on destruction (the
// tick hook is disarmed, so the attachment may die before the exchange).
//
// Engines do not attach themselves, so a composite engine (e.g. one answering
// every class) can own inner engines that share its number and line.
#pragma once

#include <memory>

#include "devices/virtual_exchange.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

namespace faxemu {

class LineAttachment {
  public:
    LineAttachment(VirtualExchange& exchange, ModemEngine& engine);
    ~LineAttachment();
    LineAttachment(const LineAttachment&) = delete;
    LineAttachment& operator=(const LineAttachment&) = delete;

  private:
    VirtualExchange& exchange_;
    std::string number_;
    std::shared_ptr<ModemEngine*> engine_;  // nulled on destruction; the tick hook checks it
};

}  // namespace faxemu
