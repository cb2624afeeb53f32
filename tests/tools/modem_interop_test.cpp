// faxd on virtual modems, with efax or mgetty's sendfax at the far end
// (the fixture: tests/tools/modem_interop.hpp).
#include "tests/tools/modem_interop.hpp"

namespace faxemu {
namespace {

using test::ModemInterop;

TEST_F(ModemInterop, FaxdClass1PortReceivesFromEfax) {
    start_faxmodem("1", "1");
    start_faxd("1");
    EXPECT_NE(port_info()["device"].get<std::string>().find("Class 1"), std::string::npos);
    efax_sends("-o1", test::fixture("documents/letter-fine-mh.tif"), 2);
}

TEST_F(ModemInterop, FaxdClass1PortSendsToEfax) {
    start_faxmodem("1", "1");
    start_faxd("1");
    faxd_sends_to_efax("-o1", test::fixture("documents/letter-std-mh.tif"));
}

// Issue 6: Class 2 and 2.0 ports.

TEST_F(ModemInterop, SendfaxClass2DeliversToFaxdClass2Port) {
    start_faxmodem("2", "2", "8");
    start_faxd("2");
    EXPECT_NE(port_info()["device"].get<std::string>().find("Class 2"), std::string::npos);
    sendfax_sends("cls2", test::fixture("documents/letter-fine-mh.tif"));
}

TEST_F(ModemInterop, SendfaxClass20DeliversToFaxdClass20Port) {
    start_faxmodem("2.0", "2.0", "8");
    start_faxd("2.0");
    EXPECT_NE(port_info()["device"].get<std::string>().find("Class 2.0"), std::string::npos);
    sendfax_sends("c2.0", test::fixture("documents/short-fine-mmr.tif"));
}

TEST_F(ModemInterop, EfaxClass2DeliversToFaxdClass2Port) {
    start_faxmodem("2", "2", "2.5");
    start_faxd("2");
    efax_sends("-o2", test::fixture("documents/short-fine-mmr.tif"), 1);
}

TEST_F(ModemInterop, FaxdClass20PortSendsToEfax) {
    start_faxmodem("1", "2.0");
    start_faxd("2.0");
    faxd_sends_to_efax("-o1", test::fixture("documents/letter-std-mh.tif"));
}

// "auto" takes the best class the modem offers and says which on the port.
TEST_F(ModemInterop, AutoPortPicksClass1OnAModemOfferingAllClasses) {
    start_faxmodem("1", "all");
    start_faxd("auto");
    const std::string device = port_info()["device"];
    EXPECT_NE(device.find("Class 1 (auto: the modem offers 0,1,2,2.0)"), std::string::npos)
        << device;
}

TEST_F(ModemInterop, AutoPortPicksClass20OnAClass20Modem) {
    start_faxmodem("1", "2.0");
    start_faxd("auto");
    const std::string device = port_info()["device"];
    EXPECT_NE(device.find("Class 2.0 (auto: the modem offers"), std::string::npos) << device;
    faxd_sends_to_efax("-o1", test::fixture("documents/short-fine-mmr.tif"));
}

}  // namespace
}  // namespace faxemu
