#include "core/fax_number.hpp"

#include <gtest/gtest.h>

namespace faxemu {
namespace {

TEST(FaxNumber, NormalisationKeepsWhatIsDialled) {
    EXPECT_EQ(normalized_fax_number("+1 (555) 100-2"), "15551002");
    EXPECT_EQ(normalized_fax_number("*9,,555 1002#"), "*95551002#");
    EXPECT_EQ(normalized_fax_number("()-+ "), "");
}

TEST(FaxNumber, TheSameLineWrittenTwoWays) {
    EXPECT_TRUE(same_fax_number("5551002", "555-1002"));
    EXPECT_TRUE(same_fax_number("+1 555 1002", "5551002"));  // with the country code
    EXPECT_TRUE(same_fax_number("5551002", "+1 (555) 1002"));
    EXPECT_FALSE(same_fax_number("5551002", "5551001"));
    // Below seven digits only an exact match counts: 1002 may be an extension.
    EXPECT_FALSE(same_fax_number("5551002", "1002"));
    EXPECT_TRUE(same_fax_number("1002", "10-02"));
    // A port without a number is no number's port.
    EXPECT_FALSE(same_fax_number("", ""));
    EXPECT_FALSE(same_fax_number("", "5551002"));
}

}  // namespace
}  // namespace faxemu
