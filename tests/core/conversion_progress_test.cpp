// A conversion's progress in words, as QueueStatus shows it.
#include <gtest/gtest.h>

#include "core/conversion_progress.hpp"

namespace faxemu {
namespace {

TEST(ConversionProgress, SaysWhereItIsInWords) {
    EXPECT_EQ(describe({"a.pdf", 1, 1, 0, std::nullopt}), "converting a.pdf");
    EXPECT_EQ(describe({"a.pdf", 1, 1, 12, std::nullopt}), "converting a.pdf: page 12");
    EXPECT_EQ(describe({"a.pdf", 1, 1, 12, 40}), "converting a.pdf: page 12 of 40");
    EXPECT_EQ(describe({"a.pdf", 2, 3, 12, 40}),
              "converting a.pdf, document 2 of 3: page 12 of 40");
}

}  // namespace
}  // namespace faxemu
