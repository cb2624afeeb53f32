#include "core/dcs.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace faxemu {
namespace {

// A DCS frame: address, control, FCF, then FIF octets with T.30 bit n at octet (n-1)/8.
std::vector<std::uint8_t> dcs(std::initializer_list<int> bits) {
    std::vector<std::uint8_t> f = {0xFF, 0x13, 0x83, 0, 0, 0, 0, 0, 0};
    for (int n : bits) f[3 + (n - 1) / 8] |= static_cast<std::uint8_t>(1 << ((n - 1) % 8));
    return f;
}

TEST(Dcs, DecodesRateModemResolutionCodingAndEcm) {
    struct Case {
        std::vector<std::uint8_t> frame;
        int rate;
        const char* modulation;
        const char* res;
        const char* coding;
        bool ecm;
    } cases[] = {
        {dcs({14}), 14400, "V.17", "standard", "MH", false},
        {dcs({12, 14, 15}), 12000, "V.17", "fine", "MH", false},
        {dcs({11, 14, 16}), 9600, "V.17", "standard", "MR", false},
        {dcs({11, 15, 27, 31}), 9600, "V.29", "fine", "MMR", true},
        {dcs({11, 12}), 7200, "V.29", "standard", "MH", false},
        {dcs({12}), 4800, "V.27ter", "standard", "MH", false},
        {dcs({}), 2400, "V.27ter", "standard", "MH", false},
        {dcs({14, 41}), 14400, "V.17", "superfine", "MH", false},
    };
    for (const Case& c : cases) {
        auto info = decode_dcs(c.frame.data(), c.frame.size());
        ASSERT_TRUE(info.has_value());
        EXPECT_EQ(info->bit_rate, c.rate);
        EXPECT_EQ(info->modulation, c.modulation);
        EXPECT_EQ(info->resolution, c.res);
        EXPECT_EQ(info->compression, c.coding);
        EXPECT_EQ(info->ecm, c.ecm);
    }
}

TEST(Dcs, IgnoresOtherFramesAndShortOnes) {
    std::vector<std::uint8_t> dis = {0xFF, 0x13, 0x80, 0x00, 0x20};
    EXPECT_FALSE(decode_dcs(dis.data(), dis.size()).has_value());
    std::vector<std::uint8_t> tiny = {0xFF, 0x13, 0x83};
    EXPECT_FALSE(decode_dcs(tiny.data(), tiny.size()).has_value());
}

}  // namespace
}  // namespace faxemu
