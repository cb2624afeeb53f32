// Fuzzes what a Class 2/2.0 modem's answers are parsed with: the session
// parameters of +FDCS:/+FDIS: (+FCS:/+FIS:), the hang-up codes of +FHNG:/+FHS:,
// quoted station ids, the +FCLASS=? and modulation lists a probe reads
// (devices/class2_protocol, devices/serial/modem_probe), and on the virtual modem's side
// the +FDCC=/+FDIS= arguments a host sends and the DIS/DCS frames it hears
// (devices/virtual_class2/t30_session_params).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "devices/class2_protocol/class2_commands.hpp"
#include "devices/class2_protocol/class2_params.hpp"
#include "devices/class2_protocol/hangup_codes.hpp"
#include "devices/class2_protocol/t4_stream.hpp"
#include "devices/serial/modem_probe.hpp"
#include "devices/virtual_class2/t30_session_params.hpp"

namespace {

using namespace faxemu;

void host_side(std::string_view text, Class2Variant v, int pages) {
    if (const auto p = parse_class2_params(text, v)) {
        // What the driver prints back must read the same.
        const auto again = parse_class2_params(format_class2_params(*p, v), v);
        if (!again || !(*again == *p)) std::abort();
        (void)to_dcs_info(*p, (pages & 1) != 0);
        (void)bit_rate_of_br(p->br);
    }
    const HangupCode* code = find_hangup_code(v, text);
    const CallOutcome outcome = hangup_outcome(v, text, pages);
    if (code && outcome.t30_cause != code->t30_cause) std::abort();
    (void)unquote_id(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const int pages = size > 0 ? data[0] : 0;
    host_side(text, Class2Variant::Class2, pages);
    host_side(text, Class2Variant::Class20, pages);

    (void)parse_fclass_list(text);
    (void)parse_code_list(text);

    // The virtual modem: a host's parameter list over the modem's defaults, and
    // the input as a DIS and a DCS frame.
    const Class2Params defaults = vclass2::kModemDefaults;
    for (const Class2Variant v : {Class2Variant::Class2, Class2Variant::Class20}) {
        const auto parsed = parse_class2_params(text, v, defaults);
        if (!parsed) continue;
        const Class2Params p = vclass2::clamp_to_modem(*parsed);
        const auto again = parse_class2_params(format_class2_params(p, v), v, defaults);
        if (!again || !(*again == p)) std::abort();
        (void)vclass2::negotiate_session(p, defaults);
        (void)vclass2::t30_modulations_for(p);
        (void)vclass2::t30_compressions_for(p);
        (void)t4_encoding_of_df(p.df);
    }
    if (const auto dis = vclass2::params_from_dis(data, size))
        (void)vclass2::negotiate_session(defaults, *dis);
    (void)vclass2::params_from_dcs(data, size);
    return 0;
}
