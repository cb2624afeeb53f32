#include "core/file_modes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

TEST(FileModes, ProblemsNameWhatIsWrong) {
    EXPECT_EQ(mode_problem(0640, false), "");
    EXPECT_EQ(mode_problem(0600, false), "");
    EXPECT_EQ(mode_problem(0750, true), "");
    EXPECT_NE(mode_problem(0440, false), "");  // faxd could not write its own faxes
    EXPECT_NE(mode_problem(0640, true), "");   // nor enter its directories
    EXPECT_NE(mode_problem(04750, true), "");
    EXPECT_EQ(octal(0640), "0640");
}

TEST(FileModes, MakeDirectoriesSetsTheModeOfWhatItCreatesOnly) {
    test::TempDir dir;
    const auto existing = dir.path() / "existing";
    std::filesystem::create_directory(existing);
    ::chmod(existing.c_str(), 0755);
    const mode_t old = ::umask(0);
    make_directories(existing / "a" / "b", 0750);
    ::umask(old);
    EXPECT_EQ(mode_of(existing), 0755u);
    EXPECT_EQ(mode_of(existing / "a"), 0750u);
    EXPECT_EQ(mode_of(existing / "a" / "b"), 0750u);
    EXPECT_NO_THROW(make_directories(existing / "a" / "b", 0700));  // exists: unchanged
    EXPECT_EQ(mode_of(existing / "a" / "b"), 0750u);
}

}  // namespace
}  // namespace faxemu
