// The driver's reading and writing of vr,br,wd,ln,df,ec,bf,st: ec's codes differ
// between Class 2 (SP-2388) and Class 2.0 (T.32 Table 21).
#include <gtest/gtest.h>

#include "devices/class2_protocol/class2_commands.hpp"
#include "devices/class2_protocol/class2_params.hpp"

namespace faxemu {
namespace {

Class2Params ecm_session() {
    Class2Params p;
    p.vr = 1;
    p.br = 5;
    p.ln = 2;
    p.df = 3;
    p.ec = 2;  // ECM, 256-octet frames (Class 2's code)
    return p;
}

TEST(Class2ParamsEc, Class2AsksFor256OctetFrames) {
    EXPECT_EQ(format_class2_params(ecm_session(), Class2Variant::Class2), "1,5,0,2,3,2,0,0");
    auto p = parse_class2_params("1,5,0,2,3,1,0,0", Class2Variant::Class2);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ec, 1);  // 64-octet frames
}

TEST(Class2ParamsEc, Class20AsksForEcmWithT32Code) {
    // T.32 Table 21: 1 = ECM (T.30 Annex A); 2 would be Annex C half duplex.
    EXPECT_EQ(format_class2_params(ecm_session(), Class2Variant::Class20), "1,5,0,2,3,1,0,0");
    auto p = parse_class2_params("1,5,0,2,3,1,0,0", Class2Variant::Class20);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, ecm_session());
    EXPECT_TRUE(to_dcs_info(*p, true).ecm);
    auto off = parse_class2_params("1,5,0,2,1,0,0,0", Class2Variant::Class20);
    ASSERT_TRUE(off);
    EXPECT_EQ(off->ec, 0);
    EXPECT_EQ(format_class2_params(*off, Class2Variant::Class20), "1,5,0,2,1,0,0,0");
}

}  // namespace
}  // namespace faxemu
