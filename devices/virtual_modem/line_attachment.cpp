#include "devices/virtual_modem/line_attachment.hpp"

namespace faxemu {

LineAttachment::LineAttachment(VirtualExchange& exchange, ModemEngine& engine)
    : exchange_(exchange),
      number_(engine.number()),
      engine_(std::make_shared<ModemEngine*>(&engine)) {
    exchange_.attach(number_, engine);
    std::weak_ptr<ModemEngine*> weak = engine_;
    exchange_.on_tick([weak] {
        if (auto e = weak.lock(); e && *e) (*e)->tick();
    });
}

LineAttachment::~LineAttachment() {
    *engine_ = nullptr;
    exchange_.detach(number_);
}

}  // namespace faxemu
