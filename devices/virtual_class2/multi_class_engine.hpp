// A virtual fax modem with every class, as most real ones: +FCLASS=? answers
// "0,1,2,2.0", and the class the host picks decides which engine serves it —
// spandsp's T.31 (Class1Engine) for 1, our Class2Engine for 2 and 2.0.
//
// While no call is up, command lines are collected up to CR and given to both
// engines (so echo, verbosity and identities stay in step), except dialling,
// answering and the +F call commands, which only the active engine gets; only the
// active engine's output reaches the host. In a call every byte goes to it alone,
// and so do the line's events.
#pragma once

#include <memory>
#include <string>

#include "devices/virtual_class2/class2_engine.hpp"
#include "devices/virtual_modem/class1_engine.hpp"
#include "devices/virtual_modem/modem_engine.hpp"

namespace faxemu {

class MultiClassEngine : public ModemEngine {
  public:
    MultiClassEngine(VirtualExchange& exchange, std::string number, Class1Options class1,
                     Class2Options class2);
    ~MultiClassEngine() override;

    void set_host_writer(HostWriter writer) override { writer_ = std::move(writer); }
    void host_bytes(const std::uint8_t* data, std::size_t n) override;
    const std::string& number() const override { return number_; }
    void tick() override;

    void line_ringing(int ring_count, const std::string& caller_id) override;
    void line_connected() override;
    void line_ended(LineEnd why) override;
    void line_transmit(std::int16_t* out, int n) override;
    void line_receive(const std::int16_t* in, int n) override;

    bool class2_active() const { return active_ == class2_.get(); }
    Class1Engine& class1() { return *class1_; }
    Class2Engine& class2() { return *class2_; }

  private:
    bool in_call() const;
    void command_line(const std::string& line);

    std::string number_;
    HostWriter writer_;
    std::unique_ptr<Class1Engine> class1_;
    std::unique_ptr<Class2Engine> class2_;
    ModemEngine* active_ = nullptr;
    std::string pending_line_;
};

}  // namespace faxemu
