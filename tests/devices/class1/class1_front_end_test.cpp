// The pieces of the front end that stand alone: Class 1 modulation codes, and the
// host HDLC framing used for ECM over +FTM (checked with spandsp's own HDLC receiver).
#include <gtest/gtest.h>

#include <spandsp.h>

#include <vector>

#include "devices/class1/class1_front_end.hpp"

namespace faxemu {
namespace {

TEST(Class1Modulation, CodesOfT31) {
    EXPECT_EQ(class1_modulation(T30_MODEM_V21, 300, false), 3);
    EXPECT_EQ(class1_modulation(T30_MODEM_V27TER, 2400, false), 24);
    EXPECT_EQ(class1_modulation(T30_MODEM_V27TER, 4800, false), 48);
    EXPECT_EQ(class1_modulation(T30_MODEM_V29, 7200, false), 72);
    EXPECT_EQ(class1_modulation(T30_MODEM_V29, 9600, false), 96);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 7200, false), 73);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 7200, true), 74);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 9600, false), 97);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 9600, true), 98);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 12000, false), 121);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 12000, true), 122);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 14400, false), 145);
    EXPECT_EQ(class1_modulation(T30_MODEM_V17, 14400, true), 146);
    EXPECT_EQ(class1_modulation(T30_MODEM_PAUSE, 0, false), 0);
}

struct Collected {
    std::vector<std::vector<std::uint8_t>> frames;
    int bad = 0;
};

void collect(void* user, const std::uint8_t* msg, int len, int ok) {
    auto* c = static_cast<Collected*>(user);
    if (len < 0) return;  // status
    if (ok)
        c->frames.emplace_back(msg, msg + len);
    else
        ++c->bad;
}

TEST(HdlcBitEncoder, SpandspDecodesItsFramesLsbFirst) {
    HdlcBitEncoder enc;
    enc.flags(10);
    // Frames full of ones (bit stuffing), flags and DLEs in the data.
    std::vector<std::vector<std::uint8_t>> sent = {
        {0xFF, 0x03, 0x06, 0x00, 0x7E, 0x7E, 0xFF, 0xFF, 0x10, 0x10, 0x03},
        std::vector<std::uint8_t>(256, 0xFF),
        {0xFF, 0x13, 0x86, 0x00, 0x01, 0x02},
    };
    for (const auto& f : sent) enc.frame(f.data(), f.size());
    enc.flags(2);
    enc.align();
    std::vector<std::uint8_t> bytes = enc.take();
    Collected got;
    hdlc_rx_state_t* rx = hdlc_rx_init(nullptr, FALSE, TRUE, 2, &collect, &got);
    for (std::uint8_t b : bytes)
        for (int i = 0; i < 8; ++i) hdlc_rx_put_bit(rx, (b >> i) & 1);
    hdlc_rx_free(rx);
    EXPECT_EQ(got.bad, 0);
    EXPECT_EQ(got.frames, sent);
    EXPECT_TRUE(enc.take().empty());
}

}  // namespace
}  // namespace faxemu
