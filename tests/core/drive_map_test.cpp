#include "core/drive_map.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace faxemu {
namespace {

std::string local(const DriveMap& map, std::string_view path) {
    std::string why;
    std::string out = map.to_local(path, "folder", why);
    EXPECT_EQ(out.empty(), !why.empty()) << path;
    return out.empty() ? "refused: " + why : out;
}

TEST(DriveMapTest, KnowsWindowsPaths) {
    for (const char* p : {"C:\\faxes", "c:/faxes", "C:", "C:faxes", "\\\\srv\\share", "faxes\\in"})
        EXPECT_TRUE(is_windows_path(p)) << p;
    for (const char* p : {"/srv/fax", "/srv/fax\\odd", "faxes", "", "./x"})
        EXPECT_FALSE(is_windows_path(p)) << p;
}

TEST(DriveMapTest, WithoutAMapEveryWindowsPathIsRefusedAndOthersPassAsGiven) {
    const DriveMap none;
    for (const char* p : {"C:\\faxarchive", "\\\\server\\share\\faxes", "d:/faxes"}) {
        const std::string r = local(none, p);
        EXPECT_NE(r.find("refused: folder \""), std::string::npos) << r;
        EXPECT_NE(r.find("is a Windows path"), std::string::npos) << r;
        EXPECT_NE(r.find("[faxcom] drive_map"), std::string::npos) << r;
    }
    EXPECT_NE(local(none, "C:faxes").find("relative to the current folder of a Windows drive"),
              std::string::npos);
    EXPECT_NE(local(none, "faxes\\in").find("relative Windows path"), std::string::npos);
    // Not Windows: unchanged (whether absolute is the caller's rule).
    EXPECT_EQ(local(none, "/srv/fax"), "/srv/fax");
    EXPECT_EQ(local(none, "archive"), "archive");
}

TEST(DriveMapTest, MapsByTheLongestEntryCaseInsensitivelyOnWholeNames) {
    const DriveMap map({{"C:\\faxes", "/srv/fax"},
                        {"c:/Faxes/Archive", "/archive"},
                        {"\\\\Server\\Share", "/mnt/share/"},
                        {"D:\\", "/srv/d"}});
    EXPECT_EQ(local(map, "C:\\faxes\\2026"), "/srv/fax/2026");
    EXPECT_EQ(local(map, "c:\\FAXES"), "/srv/fax");
    EXPECT_EQ(local(map, "C:/faxes/In/Sub\\"), "/srv/fax/In/Sub");
    EXPECT_EQ(local(map, "C:\\Faxes\\archive\\2026"), "/archive/2026");
    EXPECT_EQ(local(map, "\\\\server\\share\\Faxes"), "/mnt/share/Faxes");
    EXPECT_EQ(local(map, "d:\\x\\y"), "/srv/d/x/y");
    // A longer name is not the mapped one; other drives and shares stay refused.
    EXPECT_NE(local(map, "C:\\faxes2\\x").find("refused"), std::string::npos);
    EXPECT_NE(local(map, "E:\\faxes").find("refused"), std::string::npos);
    EXPECT_NE(local(map, "\\\\server\\other").find("refused"), std::string::npos);
    EXPECT_NE(local(map, "C:\\faxes\\..\\etc").find("\"..\""), std::string::npos);
    EXPECT_NE(local(map, "C:faxes").find("refused"), std::string::npos);
}

TEST(DriveMapTest, RefusesEntriesThatAreNotWindowsFoldersOrNotAbsoluteLocally) {
    EXPECT_THROW(DriveMap(std::vector<DriveMapping>{{"faxes", "/srv/fax"}}), std::invalid_argument);
    EXPECT_THROW(DriveMap(std::vector<DriveMapping>{{"C:", "/srv/fax"}}), std::invalid_argument);
    EXPECT_THROW(DriveMap(std::vector<DriveMapping>{{"\\\\server", "/srv/fax"}}),
                 std::invalid_argument);
    EXPECT_THROW(DriveMap(std::vector<DriveMapping>{{"C:\\faxes", "srv/fax"}}),
                 std::invalid_argument);
    EXPECT_NO_THROW(DriveMap(std::vector<DriveMapping>{{"\\\\server\\share", "/srv/fax"}}));
}

}  // namespace
}  // namespace faxemu
