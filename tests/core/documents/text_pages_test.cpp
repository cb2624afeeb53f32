// How plain text is cut into lines and pages before it is drawn: form feeds,
// wrapping, tab stops, line ends, and bytes that are not text.
#include "core/documents/text_pages.hpp"

#include <gtest/gtest.h>

namespace faxemu {
namespace {

using Lines = std::vector<std::string>;

TEST(TextPages, FormFeedStartsANewPage) {
    const TextPages pages = paginate_text("one\ntwo\fthree\n\ffour", 80, 60);
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0], (Lines{"one", "two"}));
    EXPECT_EQ(pages[1], (Lines{"three"}));
    EXPECT_EQ(pages[2], (Lines{"four"}));
}

TEST(TextPages, TwoFormFeedsLeaveABlankPageButATrailingOneNone) {
    const TextPages pages = paginate_text("a\f\fb\f", 80, 60);
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0], (Lines{"a"}));
    EXPECT_TRUE(pages[1].empty());
    EXPECT_EQ(pages[2], (Lines{"b"}));
}

TEST(TextPages, AFullPageFlowsOnWithoutAnEmptyPageBeforeAFormFeed) {
    EXPECT_EQ(paginate_text("1\n2\n3\n4\n5", 80, 2), (TextPages{{"1", "2"}, {"3", "4"}, {"5"}}));
    EXPECT_EQ(paginate_text("1\n2\f3", 80, 2), (TextPages{{"1", "2"}, {"3"}}));
}

TEST(TextPages, LongLinesWrapAtTheLastColumn) {
    EXPECT_EQ(paginate_text("abcdefghij", 10, 60), (TextPages{{"abcdefghij"}}));
    EXPECT_EQ(paginate_text("abcdefghijk\nl", 10, 60), (TextPages{{"abcdefghij", "k", "l"}}));
    EXPECT_EQ(paginate_text(std::string(25, 'x'), 10, 2),
              (TextPages{{std::string(10, 'x'), std::string(10, 'x')}, {std::string(5, 'x')}}));
}

TEST(TextPages, TabsExpandToTheNextMultipleOfEightColumns) {
    EXPECT_EQ(paginate_text("\tX", 80, 60), (TextPages{{"        X"}}));
    EXPECT_EQ(paginate_text("ab\tX", 80, 60), (TextPages{{"ab      X"}}));
    EXPECT_EQ(paginate_text("abcdefgh\tX\tY", 80, 60), (TextPages{{"abcdefgh        X       Y"}}));
    // Tab stops count from the start of the line as written, across a wrap.
    EXPECT_EQ(paginate_text("abcdefghijkl\tX", 10, 60), (TextPages{{"abcdefghij", "kl    X"}}));
}

TEST(TextPages, CrLfAndALoneCrEndALine) {
    EXPECT_EQ(paginate_text("a\r\nb\r\n", 80, 60), (TextPages{{"a", "b"}}));
    EXPECT_EQ(paginate_text("a\rb", 80, 60), (TextPages{{"a", "b"}}));
    EXPECT_EQ(paginate_text("a\r\n\r\nb", 80, 60), (TextPages{{"a", "", "b"}}));
}

TEST(TextPages, ByteOrderMarkSkippedBadBytesAndControlsReplaced) {
    EXPECT_EQ(paginate_text("\xEF\xBB\xBFhi", 80, 60), (TextPages{{"hi"}}));
    EXPECT_EQ(paginate_text("a\xFF"
                            "b\x01"
                            "c",
                            80, 60),
              (TextPages{{"a\xEF\xBF\xBD"
                          "b\xEF\xBF\xBD"
                          "c"}}));
    EXPECT_EQ(paginate_text(std::string("a\0b", 3), 80, 60), (TextPages{{"a\xEF\xBF\xBD"
                                                                         "b"}}));
}

TEST(TextPages, WideCharactersTakeTwoColumnsAndCombiningMarksNone) {
    // Five CJK characters fill ten columns; e + combining acute is one column.
    const std::string wide = "\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2";
    EXPECT_EQ(paginate_text(wide + "x", 10, 60), (TextPages{{wide, "x"}}));
    const std::string accented = "e\xCC\x81";
    std::string nine_accented;
    for (int i = 0; i < 10; ++i) nine_accented += accented;
    EXPECT_EQ(paginate_text(nine_accented, 10, 60), (TextPages{{nine_accented}}));
}

TEST(TextPages, TextWithoutLinesIsOneEmptyPage) {
    EXPECT_EQ(paginate_text("", 80, 60), (TextPages{{}}));
    EXPECT_EQ(paginate_text("\n\n", 80, 60), (TextPages{{"", ""}}));
}

}  // namespace
}  // namespace faxemu
