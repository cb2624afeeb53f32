#include "tools/faxctl/send_time.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace faxemu::faxctl {
namespace {

using namespace std::chrono_literals;

// Central European time as a POSIX rule, so that no zone file is needed:
// summer time from the last Sunday of March to the last Sunday of October.
constexpr const char* kBerlin = "CET-1CEST,M3.5.0,M10.5.0/3";

class SendTime : public ::testing::Test {
  protected:
    SendTime() {
        if (const char* tz = std::getenv("TZ")) saved_ = tz;
        setenv("TZ", kBerlin, 1);
        tzset();
    }
    ~SendTime() override {
        if (saved_)
            setenv("TZ", saved_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

    // 2026-12-07 13:40:00 UTC: 14:40 in Berlin.
    const SystemTime now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 7} + 13h + 40min;

    std::string error_of(const std::string& text) {
        try {
            parse_send_time(text, now);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    }

  private:
    std::optional<std::string> saved_;
};

TEST_F(SendTime, OffsetsFromNow) {
    EXPECT_EQ(parse_send_time("+2h", now), now + 2h);
    EXPECT_EQ(parse_send_time("now + 30 min", now), now + 30min);
    EXPECT_EQ(parse_send_time("NOW+45s", now), now + 45s);
    EXPECT_EQ(parse_send_time("+ 1 day", now), now + 24h);
}

TEST_F(SendTime, LocalTimesTodayAndOnADate) {
    EXPECT_EQ(protocol_time(parse_send_time("15:30", now)), "2026-12-07T14:30:00Z");
    EXPECT_EQ(protocol_time(parse_send_time("2026-12-08 09:00", now)), "2026-12-08T08:00:00Z");
    EXPECT_EQ(protocol_time(parse_send_time("2027-07-01T09:00:30", now)),
              "2027-07-01T07:00:30Z");  // summer time: UTC+2
}

TEST_F(SendTime, PastAmbiguousAndMissingTimesAreRefused) {
    EXPECT_EQ(error_of("14:30"),
              "--at \"14:30\": has passed today; give the date too, e.g. YYYY-MM-DD HH:MM");
    EXPECT_EQ(error_of("2026-12-01 09:00"), "--at \"2026-12-01 09:00\": is in the past");
    // 2027-10-31 02:30 happens twice; 2027-03-28 02:30 never.
    EXPECT_NE(error_of("2027-10-31 02:30").find("happens twice"), std::string::npos);
    EXPECT_NE(error_of("2027-03-28 02:30").find("does not exist"), std::string::npos);
    EXPECT_EQ(error_of("2027-02-30 09:00"), "--at \"2027-02-30 09:00\": is not a date");
    EXPECT_EQ(error_of("25:00"), "--at \"25:00\": is not a time of day (00:00 to 23:59)");
    EXPECT_NE(error_of("tomorrow").find("is not a time faxctl reads; write HH:MM"),
              std::string::npos);
    EXPECT_NE(error_of("+2 fortnights").find("is not a time faxctl reads"), std::string::npos);
}

}  // namespace
}  // namespace faxemu::faxctl
