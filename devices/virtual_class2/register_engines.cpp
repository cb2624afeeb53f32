#include "devices/virtual_class2/register_engines.hpp"

#include <stdexcept>

#include "devices/virtual_class2/multi_class_engine.hpp"

namespace faxemu {

namespace {

// The keys take_class2_quirks reads, for faxmodem --help (documented once).
void document_class2_options() {
    static const bool done = [] {
        document_engine_options(
            "class 2, 2.0, all",
            {
                {"ignore_fdis_after_dial", "", "quirk: +FDIS= after ATD is ignored"},
                {"late_xon", "MS", "quirk: XON comes MS ms after +FDT's CONNECT"},
                {"rx_trigger", "dc1|dc2|any", "what starts received data after +FDR's CONNECT"},
                {"reversed_rx_bits", "", "quirk: Class 2 received data bit-reversed at +FBOR=0"},
            });
        return true;
    }();
    (void)done;
}

// The Class 2 quirk keys; shared fault keys are read by class1_options.
void take_class2_quirks(EngineOptions& o, Class2Options& c) {
    document_class2_options();
    Class2Quirks& q = c.quirks;
    q.ignore_fdis_after_dial = o.take_bool("ignore_fdis_after_dial", q.ignore_fdis_after_dial);
    q.late_xon = std::chrono::milliseconds(o.take_int("late_xon", 0));
    if (auto v = o.take("rx_trigger")) {
        if (*v == "dc1")
            q.rx_trigger = 0x11;
        else if (*v == "dc2")
            q.rx_trigger = 0x12;
        else if (*v == "any")
            q.rx_trigger = 0;
        else
            throw std::invalid_argument("option rx_trigger=" + *v + ": expected dc1, dc2 or any");
    }
    q.reversed_rx_bit_order = o.take_bool("reversed_rx_bits", q.reversed_rx_bit_order);
}

Class2Options from_class1(const Class1Options& c1, Class2Set classes) {
    Class2Options c;
    c.classes = classes;
    c.caller_id = c1.caller_id;
    c.faults = c1.faults;
    const VirtualModemIdentity defaults;
    if (c1.identity.manufacturer != defaults.manufacturer)
        c.identity.manufacturer = c1.identity.manufacturer;
    if (c1.identity.model != defaults.model) c.identity.model = c1.identity.model;
    if (c1.identity.revision != defaults.revision) c.identity.revision = c1.identity.revision;
    if (c1.identity.ati != defaults.ati) c.identity.ati = c1.identity.ati;
    return c;
}

}  // namespace

Class2Options class2_options(EngineOptions& options, Class2Set classes) {
    const Class1Options c1 = class1_options(options);
    const Class1Quirks none;
    if (c1.quirks.early_ftm_connect != none.early_ftm_connect ||
        c1.quirks.frm_fcerror_after_v21 != none.frm_fcerror_after_v21 ||
        c1.quirks.frh_bogus_connect != none.frh_bogus_connect ||
        c1.quirks.flow_overflow_slack != none.flow_overflow_slack ||
        c1.quirks.reversed_bit_order != none.reversed_bit_order ||
        c1.quirks.no_dle_doubling_in_frames != none.no_dle_doubling_in_frames ||
        !c1.capture_tx_data.empty())
        throw std::invalid_argument(
            "a Class 1 quirk (or capture_tx_data) was given to a Class 2 modem");
    Class2Options c = from_class1(c1, classes);
    take_class2_quirks(options, c);
    return c;
}

void register_virtual_class2_engines() {
    document_class2_options();
    auto single = [](Class2Set classes) {
        return
            [classes](VirtualExchange& exchange, EngineSpec& spec) -> std::unique_ptr<ModemEngine> {
                Class2Options options = class2_options(spec.options, classes);
                options.on_event = spec.on_event;
                return std::make_unique<Class2Engine>(exchange, spec.number, std::move(options));
            };
    };
    register_engine_class("2", single(Class2Set::Class2));
    register_engine_class("2.0", single(Class2Set::Class20));
    register_engine_class(
        "all", [](VirtualExchange& exchange, EngineSpec& spec) -> std::unique_ptr<ModemEngine> {
            Class1Options c1 = class1_options(spec.options);
            c1.on_event = spec.on_event;
            Class2Options c2 = from_class1(c1, Class2Set::Both);
            take_class2_quirks(spec.options, c2);
            c2.on_event = spec.on_event;
            return std::make_unique<MultiClassEngine>(exchange, spec.number, std::move(c1),
                                                      std::move(c2));
        });
}

}  // namespace faxemu
