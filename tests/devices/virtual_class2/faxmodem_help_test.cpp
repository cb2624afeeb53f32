// faxmodem --help lists every key a --modem spec accepts: the keys come from the
// engine factory's documented options, and reading an undocumented key is refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include "devices/virtual_class2/register_engines.hpp"
#include "devices/virtual_modem/engine_factory.hpp"

namespace faxemu {
namespace {

std::string faxmodem_help() {
    std::string out;
    FILE* p = ::popen((std::string(FAXMODEM_PATH) + " --help 2>&1").c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

TEST(FaxmodemHelp, ListsEveryModemKey) {
    register_virtual_class2_engines();
    const std::string help = faxmodem_help();
    // The Class 2 quirks HylaFAX setups need.
    for (const char* key :
         {"reversed_rx_bits", "rx_trigger=", "late_xon=", "ignore_fdis_after_dial"})
        EXPECT_NE(help.find(key), std::string::npos) << key << " missing from\n" << help;
    // And every documented key, as the factory lists them.
    EXPECT_NE(help.find(engine_options_help()), std::string::npos) << help;
    for (const char* cls : {"class=1|2|2.0|all"}) EXPECT_NE(help.find(cls), std::string::npos);
}

TEST(FaxmodemHelp, AnUndocumentedKeyCannotBeRead) {
    EngineOptions o(std::map<std::string, std::string>{{"not_a_key", "1"}});
    EXPECT_THROW(o.take("not_a_key"), std::logic_error);
    EXPECT_TRUE(engine_option_documented("busy"));
}

}  // namespace
}  // namespace faxemu
