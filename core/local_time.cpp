#include "core/local_time.hpp"

#include <ctime>

namespace faxemu {

std::string local_time_text(TimePoint t) {
    const auto secs = static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

}  // namespace faxemu
