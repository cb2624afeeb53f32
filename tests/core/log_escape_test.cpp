#include "core/log_escape.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace faxemu {
namespace {

TEST(LogEscape, ControlCharactersAreWrittenOut) {
    EXPECT_EQ(escape_control_characters("plain text, ünïcode"), "plain text, ünïcode");
    EXPECT_EQ(escape_control_characters("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(escape_control_characters(std::string("\x1b[2J\x7f\0", 6)), "\\x1b[2J\\x7f\\x00");
    EXPECT_EQ(escape_control_characters("\xc2\x9b"
                                        "31m"),
              "\\u009b31m");                                       // C1 CSI
    EXPECT_EQ(escape_control_characters("\xc2\xa0"), "\xc2\xa0");  // no-break space stays
}

// A name with a newline in it cannot start a line of its own in the log.
TEST(LogEscape, AClientStringCannotForgeALogLine) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::logger logger("test", sink);
    logger.set_formatter(escaping_formatter());
    logger.info("upload \"{}\" from {}", "x.tif\n[2026-01-01 00:00:00.000] [warning] forged",
                "mallory");
    logger.info("clean line");
    const std::string text = out.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
    EXPECT_NE(text.find("x.tif\\n[2026-01-01"), std::string::npos) << text;
    EXPECT_NE(text.find("[info] clean line\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace faxemu
