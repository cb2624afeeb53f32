#include "core/local_time.hpp"

#include <cstdio>
#include <ctime>

namespace faxemu {

namespace {

std::tm broken_down(TimePoint t, bool utc) {
    const auto secs = static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
    std::tm tm{};
    if (utc)
        gmtime_r(&secs, &tm);
    else
        localtime_r(&secs, &tm);
    return tm;
}

}  // namespace

std::string local_time_text(TimePoint t) {
    const std::tm tm = broken_down(t, false);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string time_with_zone(TimePoint t, bool utc) {
    const std::tm tm = broken_down(t, utc);
    char buf[64];
    // glibc names UTC "GMT"; say UTC, as faxd's own times do.
    std::strftime(buf, sizeof buf, utc ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M:%S %Z", &tm);
    return buf;
}

std::optional<TimePoint> parse_iso_utc(std::string_view text) {
    std::tm tm{};
    int consumed = 0;
    const std::string s(text);
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    std::size_t at = static_cast<std::size_t>(consumed);
    while (at < s.size() && (s[at] == '.' || (s[at] >= '0' && s[at] <= '9'))) ++at;
    if (at + 1 != s.size() || s[at] != 'Z') return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t secs = timegm(&tm);
    if (secs == static_cast<std::time_t>(-1)) return std::nullopt;
    return TimePoint{std::chrono::seconds{secs}};
}

}  // namespace faxemu
