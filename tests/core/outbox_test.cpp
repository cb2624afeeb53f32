#include "core/outbox.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace faxemu {
namespace {

std::vector<std::string> take_all(Outbox& box) {
    std::vector<std::string> out;
    while (!box.empty()) out.push_back(box.take());
    return out;
}

TEST(NotificationOutbox, AStateReplacesTheUnsentOneOfItsKeyInItsPlace) {
    Outbox box({4, 4, 1024});
    ASSERT_TRUE(box.push("port 1: ringing", "port 1"));
    ASSERT_TRUE(box.push("answer"));
    ASSERT_TRUE(box.push("port 2: idle", "port 2"));
    ASSERT_TRUE(box.push("port 1: sending", "port 1"));
    EXPECT_EQ(box.size(), 3u);
    EXPECT_EQ(box.bytes(), std::string("port 1: sending").size() + std::string("answer").size() +
                               std::string("port 2: idle").size());
    EXPECT_EQ(take_all(box),
              (std::vector<std::string>{"port 1: sending", "answer", "port 2: idle"}));
    EXPECT_EQ(box.bytes(), 0u);
}

TEST(NotificationOutbox, ALineTakenForWritingIsNotReplaced) {
    Outbox box({4, 4, 1024});
    ASSERT_TRUE(box.push("a1", "a"));
    EXPECT_EQ(box.take(), "a1");  // being written
    ASSERT_TRUE(box.push("a2", "a"));
    ASSERT_TRUE(box.push("a3", "a"));
    EXPECT_EQ(take_all(box), (std::vector<std::string>{"a3"}));
}

TEST(NotificationOutbox, ABurstOfStatesHoldsOneLinePerKey) {
    Outbox box({8, 100, 1u << 20});
    for (int round = 0; round < 100; ++round)
        for (int port = 0; port < 100; ++port)
            ASSERT_TRUE(box.push("port " + std::to_string(port) + " round " + std::to_string(round),
                                 std::to_string(port)));
    const auto lines = take_all(box);
    ASSERT_EQ(lines.size(), 100u);
    for (int port = 0; port < 100; ++port)
        EXPECT_EQ(lines[static_cast<std::size_t>(port)],
                  "port " + std::to_string(port) + " round 99");
}

TEST(NotificationOutbox, AClientThatStopsReadingOverflowsEachBound) {
    Outbox messages({2, 100, 1024});
    EXPECT_TRUE(messages.push("m"));
    EXPECT_TRUE(messages.push("m"));
    EXPECT_FALSE(messages.push("m"));
    EXPECT_TRUE(messages.push("s", "k"));  // states are counted apart

    Outbox states({100, 2, 1024});
    EXPECT_TRUE(states.push("s", "1"));
    EXPECT_TRUE(states.push("s", "2"));
    EXPECT_FALSE(states.push("s", "3"));
    EXPECT_TRUE(states.push("t", "2"));  // a known key still replaces

    Outbox bytes({100, 100, 10});
    EXPECT_TRUE(bytes.push(std::string(20, 'x')));  // one line always fits
    EXPECT_FALSE(bytes.push("y"));
    EXPECT_FALSE(bytes.push("y", "k"));
}

}  // namespace
}  // namespace faxemu
