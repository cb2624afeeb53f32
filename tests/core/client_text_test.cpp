#include "core/client_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace faxemu {
namespace {

using namespace std::string_literals;

TEST(ClientText, CountsCharactersNotBytes) {
    EXPECT_EQ(character_count(""), 0u);
    EXPECT_EQ(character_count("abc"), 3u);
    EXPECT_EQ(character_count("caf\xc3\xa9"), 4u);
    EXPECT_EQ(character_count("\xe2\x82\xac\xf0\x9f\x93\xa0"), 2u);  // euro sign, fax machine
}

TEST(ClientText, OneLineFieldsRefuseControlsAndLength) {
    EXPECT_EQ(one_line_problem("ACME Corp.", 10), "");
    EXPECT_EQ(one_line_problem("\xc3\xa9\xc3\xa9", 2), "");
    EXPECT_NE(one_line_problem("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "");
    EXPECT_NE(one_line_problem(std::string(100'000, 'x'), 256).find("100000 characters"),
              std::string::npos);
    for (const std::string& bad : {"a\nb"s, "a\rb"s, "a\tb"s, "\x1b[2J"s, "del\x7f"s, "nul\0"s,
                                   "csi \xc2\x9b"s, "c1 \xc2\x80"s})
        EXPECT_NE(one_line_problem(bad, 256).find("control character"), std::string::npos) << bad;
    EXPECT_NE(one_line_problem("ab\ncd", 256).find("position 3"), std::string::npos);
    EXPECT_EQ(one_line_problem("non-breaking\xc2\xa0space", 256), "");  // U+00A0 is text
}

TEST(ClientText, QuotedExcerptIsShortAndHarmless) {
    EXPECT_EQ(quoted_excerpt("guid"), "\"guid\"");
    EXPECT_EQ(quoted_excerpt(std::string(100'000, 'g'), 5), "\"ggggg...\"");
    EXPECT_EQ(quoted_excerpt("a\nb\x1b\xc2\x9b"), "\"a?b??\"");
    EXPECT_EQ(quoted_excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\"\xc3\xa9\xc3\xa9...\"");
}

TEST(ClientText, ReplaceAll) {
    EXPECT_EQ(replace_all("/s/a: cannot sync /s/a", "/s/a", "fax 1"), "fax 1: cannot sync fax 1");
    EXPECT_EQ(replace_all("aaa", "a", "aa"), "aaaaaa");
    EXPECT_EQ(replace_all("text", "", "x"), "text");
}

}  // namespace
}  // namespace faxemu
