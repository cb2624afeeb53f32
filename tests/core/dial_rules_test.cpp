#include "core/dial_rules.hpp"

#include <gtest/gtest.h>

namespace faxemu {
namespace {

// A port in North America (area 555) behind a PBX, and one in London. (North
// American subscriber numbers never start with 1, the long-distance prefix.)
DialRules north_america() {
    return {.country_code = "1",
            .area_code = "555",
            .long_distance_prefix = "1",
            .international_prefix = "011",
            .outside_line_prefix = "9,"};
}
DialRules london() {
    return {.country_code = "44",
            .area_code = "20",
            .long_distance_prefix = "0",
            .international_prefix = "00",
            .outside_line_prefix = ""};
}

struct Case {
    const char* typed;
    const char* canonical;
    const char* dialled;
};

TEST(DialRules, NorthAmericaBehindAPbx) {
    const Case cases[] = {
        {"2102000", "+15552102000", "9,2102000"},          // local
        {"210-2000", "+15552102000", "9,2102000"},         // local, with a dash
        {"+1 555 210 2000", "+15552102000", "9,2102000"},  // own area, written in full
        {"1 (555) 210-2000", "+15552102000", "9,2102000"},
        {"1 212 555 0100", "+12125550100", "9,12125550100"},            // long distance
        {"+1 (212) 555-0100", "+12125550100", "9,12125550100"},         // long distance, in full
        {"011 44 20 7946 0000", "+442079460000", "9,011442079460000"},  // international
        {"+44 20 7946 0000", "+442079460000", "9,011442079460000"},
        {"()-", "", "9,"},  // nothing to dial
    };
    for (const Case& c : cases) {
        EXPECT_EQ(north_america().canonical(c.typed), c.canonical) << c.typed;
        EXPECT_EQ(north_america().dial_string(c.typed), c.dialled) << c.typed;
    }
}

TEST(DialRules, LondonWithATrunkZero) {
    const Case cases[] = {
        {"7946 0000", "+442079460000", "79460000"},          // local
        {"020 7946 0000", "+442079460000", "79460000"},      // national form of a local number
        {"0161 496 0000", "+441614960000", "01614960000"},   // another area
        {"0044 20 7946 0000", "+442079460000", "79460000"},  // "00" before the trunk "0"
        {"+1 555 100 2000", "+15551002000", "0015551002000"},
        {"00 1 555 100 2000", "+15551002000", "0015551002000"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(london().canonical(c.typed), c.canonical) << c.typed;
        EXPECT_EQ(london().dial_string(c.typed), c.dialled) << c.typed;
    }
}

TEST(DialRules, WithoutALocationNumbersAreDialledAsTyped) {
    const DialRules none;
    // The simulated exchange's numbers keep working exactly as before.
    EXPECT_EQ(none.dial_string("5551002"), "5551002");
    EXPECT_EQ(none.dial_string("+1 555 1002"), "+1 555 1002");
    EXPECT_EQ(none.canonical("+1 (555) 100-2"), "15551002");
    DialRules pbx;
    pbx.outside_line_prefix = "9,";
    EXPECT_EQ(pbx.dial_string("5551002"), "9,5551002");
}

TEST(DialRules, SameNumberComparesCanonicalForms) {
    const DialRules na = north_america();
    EXPECT_TRUE(na.same_number("2102000", "+1 (555) 210-2000"));
    EXPECT_TRUE(na.same_number("1 555 210 2000", "210-2000"));
    EXPECT_FALSE(na.same_number("2102000", "1 212 210 2000"));  // another area
    EXPECT_FALSE(na.same_number("", ""));
    EXPECT_TRUE(london().same_number("0044 20 7946 0000", "020 7946 0000"));
    // Without a location: as same_fax_number (with or without a country code).
    const DialRules none;
    EXPECT_TRUE(none.same_number("+1 555 1002", "5551002"));
    EXPECT_FALSE(none.same_number("5551002", "1002"));
    EXPECT_FALSE(none.same_number("", "5551002"));
}

TEST(DialRules, ProblemsNameTheSetting) {
    EXPECT_EQ(dial_rules_problem(north_america()), "");
    EXPECT_EQ(dial_rules_problem(DialRules{}), "");
    DialRules bad = north_america();
    bad.area_code = "55a";
    EXPECT_EQ(dial_rules_problem(bad).rfind("area_code:", 0), 0u);
    bad = north_america();
    bad.outside_line_prefix = "9;ATH";
    EXPECT_EQ(dial_rules_problem(bad).rfind("outside_line_prefix:", 0), 0u);
    bad = DialRules{};
    bad.area_code = "555";
    EXPECT_EQ(dial_rules_problem(bad).rfind("country_code:", 0), 0u);
}

}  // namespace
}  // namespace faxemu
