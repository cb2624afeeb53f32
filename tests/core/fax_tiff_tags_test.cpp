#include "core/fax_tiff_tags.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <tiffio.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "core/received_fax.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;

struct TiffCloser {
    void operator()(TIFF* t) const { TIFFClose(t); }
};

// One ASCII tag of the current directory; "" when absent.
std::string text_tag(TIFF* tif, std::uint32_t tag) {
    char* value = nullptr;
    if (TIFFGetField(tif, tag, &value) != 1 || !value) return "";
    return value;
}

class FaxTiffTagsTest : public ::testing::Test {
  protected:
    test::TempDir tmp_;
    const fs::path source_ = test::fixture("documents/letter-fine-mmr.tif");
    const fs::path fax_ = tmp_.path() / "fax-7.tif";

    void SetUp() override { fs::copy_file(source_, fax_); }
};

TEST_F(FaxTiffTagsTest, ReceivedFaxRecordsWhatFaxTiffReadsOnEveryPageAndKeepsThePixels) {
    ReceivedFax f;
    f.csid = "5551002";
    f.remote_ident = "+1 555 1001";
    f.caller_id = "5551001";
    f.start = TimePoint(std::chrono::seconds(1796652000));  // 2026-12-07T14:00:00Z
    ::chmod(fax_.c_str(), 0640);
    record_fax_tiff_info(fax_, received_fax_tiff_info(f, "5551002"));

    const ImageComparison same = compare_fax_images(source_, fax_);
    EXPECT_TRUE(same.equal) << same.detail;
    EXPECT_EQ(fs::status(fax_).permissions() & fs::perms::mask, fs::perms(0640));
    for (const auto& entry : fs::directory_iterator(tmp_.path()))
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos)
            << "a temporary file was left: " << entry.path();

    std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(fax_.c_str(), "r"));
    ASSERT_TRUE(tif);
    const tdir_t pages = TIFFNumberOfDirectories(tif.get());
    ASSERT_GT(pages, 1);
    for (tdir_t page = 0; page < pages; ++page) {
        ASSERT_EQ(TIFFSetDirectory(tif.get(), page), 1);
        TIFF* t = tif.get();
        EXPECT_EQ(text_tag(t, kFaxTagCsid), "5551002") << "page " << page + 1;
        EXPECT_EQ(text_tag(t, TIFFTAG_IMAGEDESCRIPTION), "+1 555 1001");
        EXPECT_EQ(text_tag(t, kFaxTagCallerId), "5551001");
        EXPECT_EQ(text_tag(t, kFaxTagRouting), "5551002");
        EXPECT_EQ(text_tag(t, TIFFTAG_DATETIME), "2026:12:07 14:00:00");
        EXPECT_EQ(text_tag(t, kFaxTagReceiveTime), "2026-12-07T14:00:00Z");
        EXPECT_EQ(text_tag(t, TIFFTAG_SOFTWARE), "faxemu faxd");
        EXPECT_EQ(text_tag(t, kFaxTagSenderName), "") << "empty members are not written";
        std::uint16_t number = 0, total = 0;
        ASSERT_EQ(TIFFGetField(t, TIFFTAG_PAGENUMBER, &number, &total), 1);
        EXPECT_EQ(number, page);
        EXPECT_EQ(total, pages);
    }
}

TEST_F(FaxTiffTagsTest, AFileThatIsNoTiffIsLeftAsItWas) {
    const fs::path junk = tmp_.path() / "junk.tif";
    { std::ofstream(junk) << "not a tiff"; }
    EXPECT_THROW(record_fax_tiff_info(junk, FaxTiffInfo{}), FaxError);
    std::ifstream in(junk);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "not a tiff");
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp_.path())) ++files;
    EXPECT_EQ(files, 2) << "only the fax and junk.tif; no temporary file left";
}

}  // namespace
}  // namespace faxemu
