#include "tools/faxctl/send_time.hpp"

#include <time.h>

#include <cctype>
#include <optional>
#include <regex>
#include <stdexcept>

namespace faxemu::faxctl {

namespace {

using namespace std::chrono_literals;

const char* const kForms =
    "write HH:MM (today), YYYY-MM-DD HH:MM[:SS], +2h or now + 30 min (units: s, min, h, d)";

[[noreturn]] void refuse(const std::string& text, const std::string& why) {
    throw std::invalid_argument("--at \"" + text + "\": " + why);
}

// "+2h", "now + 30 min", "+ 1 day": an offset from now; nullopt if not that form.
std::optional<std::chrono::seconds> offset_of(const std::string& text) {
    static const std::regex form(
        R"(^\s*(now\s*)?\+\s*(\d{1,6})\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)\s*$)",
        std::regex::icase);
    std::smatch m;
    if (!std::regex_match(text, m, form)) return std::nullopt;
    const long n = std::stol(m[2]);
    const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(m[3].str()[0])));
    switch (unit) {
        case 's':
            return std::chrono::seconds(n);
        case 'm':
            return std::chrono::minutes(n);
        case 'h':
            return std::chrono::hours(n);
        default:
            return std::chrono::days(n);
    }
}

// The instant local time `fields` names with DST flag `isdst`, if it exists.
std::optional<std::time_t> local_instant(const std::tm& fields, int isdst) {
    std::tm t = fields;
    t.tm_isdst = isdst;
    const std::time_t at = mktime(&t);
    if (at == static_cast<std::time_t>(-1)) return std::nullopt;
    std::tm back{};
    localtime_r(&at, &back);
    const bool same = back.tm_year == fields.tm_year && back.tm_mon == fields.tm_mon &&
                      back.tm_mday == fields.tm_mday && back.tm_hour == fields.tm_hour &&
                      back.tm_min == fields.tm_min && back.tm_sec == fields.tm_sec;
    if (!same || back.tm_isdst != isdst) return std::nullopt;
    return at;
}

// A local wall-clock time: exactly one instant, or refused.
SystemTime from_local(const std::string& text, const std::tm& fields) {
    const auto standard = local_instant(fields, 0);
    const auto summer = local_instant(fields, 1);
    if (standard && summer && *standard != *summer)
        refuse(text, "happens twice (the clocks go back then); give a time outside that hour");
    const auto at = standard ? standard : summer;
    if (!at) refuse(text, "does not exist in the local time zone (the clocks go forward then)");
    return std::chrono::system_clock::from_time_t(*at);
}

}  // namespace

SystemTime parse_send_time(const std::string& text, SystemTime now) {
    if (const auto offset = offset_of(text)) return now + *offset;
    static const std::regex clock_form(R"(^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$)");
    static const std::regex date_form(
        R"(^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$)");
    std::smatch m;
    std::tm fields{};
    bool today = false;
    if (std::regex_match(text, m, clock_form)) {
        const std::time_t t = std::chrono::system_clock::to_time_t(now);
        localtime_r(&t, &fields);
        fields.tm_hour = std::stoi(m[1]);
        fields.tm_min = std::stoi(m[2]);
        fields.tm_sec = m[3].matched ? std::stoi(m[3]) : 0;
        today = true;
    } else if (std::regex_match(text, m, date_form)) {
        fields.tm_year = std::stoi(m[1]) - 1900;
        fields.tm_mon = std::stoi(m[2]) - 1;
        fields.tm_mday = std::stoi(m[3]);
        fields.tm_hour = std::stoi(m[4]);
        fields.tm_min = std::stoi(m[5]);
        fields.tm_sec = m[6].matched ? std::stoi(m[6]) : 0;
        const std::chrono::year_month_day date{std::chrono::year{fields.tm_year + 1900},
                                               std::chrono::month(fields.tm_mon + 1),
                                               std::chrono::day(fields.tm_mday)};
        if (!date.ok()) refuse(text, "is not a date");
    } else {
        refuse(text, std::string("is not a time faxctl reads; ") + kForms);
    }
    if (fields.tm_hour > 23 || fields.tm_min > 59 || fields.tm_sec > 59)
        refuse(text, "is not a time of day (00:00 to 23:59)");
    const SystemTime at = from_local(text, fields);
    if (at < now - 1s)
        refuse(text, today ? "has passed today; give the date too, e.g. YYYY-MM-DD HH:MM"
                           : "is in the past");
    return at;
}

std::string protocol_time(SystemTime t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace faxemu::faxctl
