// The virtual Class 2 modem's session parameters: T.30 DIS/DCS bits to T.32's
// vr,br,wd,ln,df,ec,bf,st, and ec's different codes in Class 2 and Class 2.0.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "devices/virtual_class2/t30_session_params.hpp"

namespace faxemu::vclass2 {
namespace {

// A DIS (or DCS) frame as spandsp hands it over: address, control, FCF, FIF.
// `bits` are T.30 bit numbers (1-based, LSB first in each octet).
std::array<std::uint8_t, 9> frame(std::uint8_t fcf, std::initializer_list<int> bits) {
    std::array<std::uint8_t, 9> f{0xFF, 0x13, fcf, 0, 0, 0, 0, 0, 0};
    for (int n : bits) f[3 + static_cast<std::size_t>((n - 1) / 8)] |= 1u << ((n - 1) % 8);
    return f;
}

Class2Variant variant(bool class20) {
    return class20 ? Class2Variant::Class20 : Class2Variant::Class2;
}

constexpr std::uint8_t kDis = 0x80;
constexpr std::uint8_t kDcs = 0x82;

// T.30 Table 2: in DIS bit 19 offers A4 and B4, bit 20 unlimited length.
TEST(Class2ParamsDis, RecordingLengthBits19And20) {
    const auto unlimited = frame(kDis, {10, 15, 20});
    auto p = params_from_dis(unlimited.data(), unlimited.size());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ln, 2);  // unlimited
    const auto b4 = frame(kDis, {10, 15, 19});
    EXPECT_EQ(params_from_dis(b4.data(), b4.size())->ln, 1);
    const auto a4 = frame(kDis, {10, 15});
    EXPECT_EQ(params_from_dis(a4.data(), a4.size())->ln, 0);
    // In DCS bit 19 commands B4, bit 20 unlimited.
    const auto dcs_unlimited = frame(kDcs, {10, 15, 20});
    EXPECT_EQ(params_from_dcs(dcs_unlimited.data(), dcs_unlimited.size())->ln, 2);
    const auto dcs_b4 = frame(kDcs, {10, 15, 19});
    EXPECT_EQ(params_from_dcs(dcs_b4.data(), dcs_b4.size())->ln, 1);

    // What the host reads back it can set again unchanged, in either class.
    for (bool class20 : {false, true}) {
        auto again = parse_class2_params(format_class2_params(*p, variant(class20)),
                                         variant(class20), kModemDefaults);
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, *p);
    }
}

// Class 2 (SP-2388): ec 1 = 64-octet frames, 2 = 256-octet frames.
TEST(Class2ParamsEc, Class2KeepsItsFrameSizeCodes) {
    EXPECT_EQ(class2_param_ranges(Class2Variant::Class2),
              "(0,1),(0-5),(0-2),(0-2),(0,1,3),(0-2),(0),(0-7)");
    auto p = parse_class2_params("1,5,0,2,3,2,0,0", Class2Variant::Class2, kModemDefaults);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ec, 2);
    EXPECT_EQ(format_class2_params(*p, Class2Variant::Class2), "1,5,0,2,3,2,0,0");
    auto ecm64 = parse_class2_params(",,,,,1", Class2Variant::Class2, kModemDefaults);
    ASSERT_TRUE(ecm64);
    EXPECT_EQ(ecm64->ec, 1);
    // A DIS with ECM reads as 256-octet ECM.
    const auto dis = frame(kDis, {10, 11, 14, 15, 27, 31});
    EXPECT_EQ(format_class2_params(*params_from_dis(dis.data(), dis.size()), Class2Variant::Class2),
              "1,5,0,0,3,2,0,5");
}

// Class 2.0 (T.32 Table 21): ec 1 = ECM (T.30 Annex A), 2 and 3 = Annex C.
TEST(Class2ParamsEc, Class20UsesT32Codes) {
    EXPECT_EQ(class2_param_ranges(Class2Variant::Class20),
              "(0,1),(0-5),(0-2),(0-2),(0,1,3),(0,1),(0),(0-7)");
    auto p = parse_class2_params("1,5,0,2,3,1,0,0", Class2Variant::Class20, kModemDefaults);
    ASSERT_TRUE(p);
    EXPECT_NE(p->ec, 0);  // ECM on
    EXPECT_EQ(format_class2_params(*p, Class2Variant::Class20), "1,5,0,2,3,1,0,0");
    auto off = parse_class2_params("1,5,0,2,0,0,0,0", Class2Variant::Class20, *p);
    ASSERT_TRUE(off);
    EXPECT_EQ(off->ec, 0);
    // The same ECM session the remote offers reads as 1, not 256-octet's 2.
    const auto dis = frame(kDis, {10, 11, 14, 15, 27, 31});
    EXPECT_EQ(
        format_class2_params(*params_from_dis(dis.data(), dis.size()), Class2Variant::Class20),
        "1,5,0,0,3,1,0,5");
    const auto dcs64 = frame(kDcs, {10, 14, 15, 27, 28, 31});
    EXPECT_EQ(
        format_class2_params(*params_from_dcs(dcs64.data(), dcs64.size()), Class2Variant::Class20),
        "1,5,0,0,3,1,0,5");
    // Omitted fields keep the current value in the class's own code.
    auto kept = parse_class2_params("0", Class2Variant::Class20, *p);
    ASSERT_TRUE(kept);
    EXPECT_EQ(format_class2_params(*kept, Class2Variant::Class20), "0,5,0,2,3,1,0,0");
}

}  // namespace
}  // namespace faxemu::vclass2
