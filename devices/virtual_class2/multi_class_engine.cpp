#include "devices/virtual_class2/multi_class_engine.hpp"

#include <algorithm>
#include <cctype>

namespace faxemu {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

}  // namespace

MultiClassEngine::MultiClassEngine(VirtualExchange& exchange, std::string number,
                                   Class1Options class1, Class2Options class2)
    : number_(std::move(number)) {
    class2.class_list = "0,1,2,2.0";
    class2.classes = Class2Set::Both;
    class1_ = std::make_unique<Class1Engine>(exchange, number_, std::move(class1));
    class2_ = std::make_unique<Class2Engine>(exchange, number_, std::move(class2));
    active_ = class1_.get();
    class1_->set_host_writer([this](const std::uint8_t* d, std::size_t n) {
        if (active_ == class1_.get() && writer_) writer_(d, n);
    });
    class2_->set_host_writer([this](const std::uint8_t* d, std::size_t n) {
        if (active_ == class2_.get() && writer_) writer_(d, n);
    });
}

MultiClassEngine::~MultiClassEngine() = default;

bool MultiClassEngine::in_call() const {
    return class1_->in_call() || class2_->in_call();
}

void MultiClassEngine::host_bytes(const std::uint8_t* data, std::size_t n) {
    if (in_call()) {
        if (!pending_line_.empty()) {
            const std::string held = std::move(pending_line_);
            pending_line_.clear();
            active_->host_bytes(reinterpret_cast<const std::uint8_t*>(held.data()), held.size());
        }
        active_->host_bytes(data, n);
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        pending_line_ += static_cast<char>(data[i]);
        if (data[i] == '\r') {
            std::string line;
            line.swap(pending_line_);
            command_line(line);
            // A command may have started a call: the rest goes to the active engine.
            if (in_call() && i + 1 < n) {
                active_->host_bytes(data + i + 1, n - i - 1);
                return;
            }
        } else if (pending_line_.size() > 1024) {
            pending_line_.clear();
        }
    }
}

void MultiClassEngine::command_line(const std::string& line) {
    const std::string up = upper(line);
    const auto at = up.find("AT");
    auto send = [&](ModemEngine* e) {
        e->host_bytes(reinterpret_cast<const std::uint8_t*>(line.data()), line.size());
    };
    if (at == std::string::npos) {
        send(active_);
        return;
    }
    // The class chosen decides which engine answers from now on.
    const auto fc = up.find("+FCLASS=", at);
    if (fc != std::string::npos && up.compare(fc + 8, 1, "?") != 0) {
        std::string v;
        for (std::size_t i = fc + 8;
             i < up.size() && (std::isdigit(static_cast<unsigned char>(up[i])) || up[i] == '.');
             ++i)
            v += up[i];
        if (v == "2" || v == "2.0")
            active_ = class2_.get();
        else if (!v.empty())
            active_ = class1_.get();
    } else if (fc != std::string::npos) {
        active_ = class2_.get();  // its +FCLASS=? lists every class
        send(class1_.get());
        send(class2_.get());
        return;
    }
    // Calls and call commands go to the active engine only.
    const char first = at + 2 < up.size() ? up[at + 2] : '\0';
    const bool call_command =
        first == 'D' || first == 'A' || up.find("+FDT") != std::string::npos ||
        up.find("+FDR") != std::string::npos || up.find("+FET") != std::string::npos ||
        up.find("+FTM") != std::string::npos || up.find("+FRM") != std::string::npos ||
        up.find("+FTH") != std::string::npos || up.find("+FRH") != std::string::npos;
    if (call_command) {
        send(active_);
        return;
    }
    ModemEngine* other = active_ == class1_.get() ? static_cast<ModemEngine*>(class2_.get())
                                                  : static_cast<ModemEngine*>(class1_.get());
    send(other);
    send(active_);
}

void MultiClassEngine::tick() {
    class1_->tick();
    class2_->tick();
}

void MultiClassEngine::line_ringing(int ring_count, const std::string& caller_id) {
    active_->line_ringing(ring_count, caller_id);
}
void MultiClassEngine::line_connected() {
    active_->line_connected();
}
void MultiClassEngine::line_ended(LineEnd why) {
    active_->line_ended(why);
}
void MultiClassEngine::line_transmit(std::int16_t* out, int n) {
    active_->line_transmit(out, n);
}
void MultiClassEngine::line_receive(const std::int16_t* in, int n) {
    active_->line_receive(in, n);
}

}  // namespace faxemu
