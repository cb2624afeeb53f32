#include "core/program_allow_list.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;

std::string refusal(const ProgramAllowList& list, const std::string& program) {
    std::string why;
    if (!list.resolve(program, why).empty()) return "";
    return why;
}

TEST(ProgramAllowList, AllowsNothingByDefault) {
    const ProgramAllowList none;
    const std::string why = refusal(none, "/bin/true");
    EXPECT_NE(why.find("/bin/true"), std::string::npos) << why;
    EXPECT_NE(why.find("routing.allowed_programs"), std::string::npos) << why;
}

TEST(ProgramAllowList, EntriesMustBeAbsolute) {
    EXPECT_THROW(ProgramAllowList({"bin/fax-to-erp"}), std::invalid_argument);
    EXPECT_THROW(ProgramAllowList({"fax-to-erp"}), std::invalid_argument);
    EXPECT_NO_THROW(ProgramAllowList({"/usr/local/bin/fax-to-erp"}));
}

TEST(ProgramAllowList, ComparesCanonicalPaths) {
    test::TempDir dir;
    fs::create_directories(dir.path() / "bin");
    fs::create_directories(dir.path() / "opt");
    const auto real = dir.path() / "opt" / "tool";
    std::ofstream(real) << "#!/bin/sh\n";
    fs::create_symlink(real, dir.path() / "bin" / "fax-to-erp");
    const ProgramAllowList list({(dir.path() / "bin" / "fax-to-erp").string()});

    std::string why;
    const auto canonical = fs::canonical(real);
    EXPECT_EQ(list.resolve((dir.path() / "bin" / "fax-to-erp").string(), why), canonical) << why;
    EXPECT_EQ(list.resolve((dir.path() / "bin" / ".." / "opt" / "tool").string(), why), canonical)
        << why;
    EXPECT_EQ(list.resolve(real.string(), why), canonical) << why;

    // A link planted elsewhere to a program not on the list does not help.
    fs::create_symlink("/bin/sh", dir.path() / "bin" / "sh");
    EXPECT_NE(refusal(list, (dir.path() / "bin" / "sh").string()), "");
    EXPECT_NE(refusal(list, "fax-to-erp"), "");  // relative: never looked up in PATH
    EXPECT_NE(refusal(list, (dir.path() / "bin" / "other").string()), "");
}

}  // namespace
}  // namespace faxemu
