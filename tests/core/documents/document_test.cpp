#include "core/documents/document.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spandsp.h>
#include <tiffio.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::fixture;

// A fresh folder per test, removed afterwards.
class DocumentTest : public ::testing::Test {
  protected:
    fs::path write(const std::string& name, const std::vector<BilevelPage>& pages) {
        const fs::path path = dir_ / name;
        write_bilevel_pages(path, pages, COMPRESSION_CCITTFAX4);
        return path;
    }

    test::TempDir tmp_;
    const fs::path dir_ = tmp_.path();
};

// What spandsp's own sender makes of a file: every page must open and encode.
void expect_spandsp_can_send(const fs::path& path, size_t pages) {
    t4_state_t* t4 = t4_tx_init(nullptr, path.c_str(), -1, -1);
    ASSERT_NE(t4, nullptr) << path;
    EXPECT_EQ(t4_tx_get_pages_in_file(t4), static_cast<int>(pages));
    t4_tx_set_tx_encoding(t4, T4_COMPRESSION_ITU_T6);
    t4_tx_set_min_bits_per_row(t4, 0);
    for (size_t page = 0; page < pages; ++page) {
        ASSERT_EQ(t4_tx_start_page(t4), 0) << "page " << page + 1;
        EXPECT_EQ(t4_tx_get_image_width(t4), 1728);
        uint8_t chunk[4096];
        size_t total = 0;
        int got = 0;
        while ((got = t4_tx_get_chunk(t4, chunk, sizeof chunk)) > 0) {
            total += static_cast<size_t>(got);
            if (got < static_cast<int>(sizeof chunk)) break;
        }
        EXPECT_GT(total, 0u) << "page " << page + 1;
        EXPECT_EQ(t4_tx_end_page(t4), 0);
    }
    t4_tx_free(t4);
}

struct FixtureCase {
    const char* file;
    std::vector<PageInfo> pages;
    bool fax_shaped;
};

void PrintTo(const FixtureCase& c, std::ostream* os) {
    *os << c.file;
}

constexpr uint16_t kMh = COMPRESSION_CCITTFAX3;
constexpr uint16_t kMmr = COMPRESSION_CCITTFAX4;
constexpr uint16_t kWhite = PHOTOMETRIC_MINISWHITE;

const PageInfo kFine{1728, 2292, 204, 196, kMh, kWhite};
const PageInfo kStd{1728, 1146, 204, 98, kMh, kWhite};

PageInfo with(PageInfo page, uint16_t compression) {
    page.compression = compression;
    return page;
}

class DocumentFixtures : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(DocumentFixtures, OpensWithExpectedPages) {
    const FixtureCase& c = GetParam();
    const Document doc = Document::open(fixture(std::string("documents/") + c.file));
    ASSERT_EQ(doc.page_count(), c.pages.size());
    for (size_t i = 0; i < c.pages.size(); ++i) {
        SCOPED_TRACE(::testing::Message() << "page " << i + 1);
        const PageInfo& got = doc.pages()[i];
        const PageInfo& want = c.pages[i];
        EXPECT_EQ(got.width, want.width);
        EXPECT_EQ(got.height, want.height);
        EXPECT_NEAR(got.x_dpi, want.x_dpi, 0.01);
        EXPECT_NEAR(got.y_dpi, want.y_dpi, 0.01);
        EXPECT_EQ(got.compression, want.compression);
        EXPECT_EQ(got.photometric, want.photometric);
    }
    EXPECT_EQ(doc.fax_shaped(), c.fax_shaped);
    EXPECT_EQ(doc.path(), fixture(std::string("documents/") + c.file));
}

INSTANTIATE_TEST_SUITE_P(
    Document, DocumentFixtures,
    ::testing::Values(
        FixtureCase{"letter-fine-mh.tif", {kFine, kFine, kFine}, true},
        FixtureCase{"letter-fine-mr.tif", {kFine, kFine, kFine}, true},
        FixtureCase{
            "letter-fine-mmr.tif", {with(kFine, kMmr), with(kFine, kMmr), with(kFine, kMmr)}, true},
        FixtureCase{"letter-std-mh.tif", {kStd, kStd, kStd}, true},
        FixtureCase{"letter-std-mr.tif", {kStd, kStd, kStd}, true},
        FixtureCase{
            "letter-std-mmr.tif", {with(kStd, kMmr), with(kStd, kMmr), with(kStd, kMmr)}, true},
        FixtureCase{"short-fine-mmr.tif", {{1728, 600, 204, 196, kMmr, kWhite}}, true},
        FixtureCase{"short-std-mmr.tif", {{1728, 300, 204, 98, kMmr, kWhite}}, true},
        FixtureCase{"short-fine-mh-lsb-minisblack.tif",
                    {{1728, 600, 204, 196, kMh, PHOTOMETRIC_MINISBLACK}},
                    true},
        FixtureCase{"mixed-res.tif", {with(kFine, kMmr), with(kStd, kMmr)}, true},
        FixtureCase{"letter-gs-tiffg4.tif",
                    {{1734, 2156, 204, 196, kMmr, kWhite}, {1734, 2156, 204, 196, kMmr, kWhite}},
                    false},
        FixtureCase{"a4-300dpi.tif", {{2480, 3508, 300, 300, kMmr, kWhite}}, false}),
    [](const auto& info) {
        std::string name = info.param.file;
        for (char& c : name) {
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        }
        return name;
    });

struct MalformedCase {
    const char* file;
    const char* reason;
};

void PrintTo(const MalformedCase& c, std::ostream* os) {
    *os << c.file;
}

class DocumentMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(DocumentMalformed, IsRefusedWithItsReason) {
    const fs::path path = fixture(std::string("malformed/") + GetParam().file);
    try {
        Document::open(path);
        ADD_FAILURE() << "opened " << path;
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr(path.string() + ": "));
        EXPECT_THAT(e.what(), HasSubstr(GetParam().reason));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Document, DocumentMalformed,
    ::testing::Values(
        MalformedCase{"truncated.tif",
                      "page 2 is truncated or corrupt: its data cannot be decoded"},
        MalformedCase{"greyscale.tif", "page 2 is 8-bit greyscale, not bilevel"},
        MalformedCase{"zero-pages.tif", "has no pages"},
        MalformedCase{"huge.tif",
                      "page 1 is 1000000x1000000 pixels, larger than the 10000x30000 limit"},
        MalformedCase{"not-a-tiff.tif", "not a TIFF file (it starts with \"This is \")"}),
    [](const auto& info) {
        std::string name = info.param.file;
        for (char& c : name) {
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        }
        return name;
    });

TEST_F(DocumentTest, MissingFileIsAnIoErrorNamingThePath) {
    const fs::path path = dir_ / "nowhere.tif";
    try {
        Document::open(path);
        ADD_FAILURE() << "opened";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_THAT(e.what(), HasSubstr(path.string()));
    }
}

TEST_F(DocumentTest, CorruptPageDataIsFoundByDecoding) {
    // Zero a stretch in the middle of page 2's strip: every directory stays
    // valid, only decoding the page can tell.
    const fs::path path = dir_ / "corrupt.tif";
    fs::copy_file(fixture("documents/letter-fine-mmr.tif"), path);
    uint64_t offset = 0;
    uint64_t length = 0;
    {
        TIFF* tif = TIFFOpen(path.c_str(), "r");
        ASSERT_NE(tif, nullptr);
        ASSERT_EQ(TIFFSetDirectory(tif, 1), 1);
        // tiffcp wrote several strips per page: take the biggest.
        for (uint32_t strip = 0; strip < TIFFNumberOfStrips(tif); ++strip) {
            if (TIFFGetStrileByteCount(tif, strip) > length) {
                offset = TIFFGetStrileOffset(tif, strip);
                length = TIFFGetStrileByteCount(tif, strip);
            }
        }
        TIFFClose(tif);
    }
    ASSERT_GT(length, 400u);
    {
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(offset + length / 2));
        const std::string zeros(200, '\0');
        file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    try {
        Document::open(path);
        ADD_FAILURE() << "opened";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr("page 2 is truncated or corrupt"));
    }
}

TEST_F(DocumentTest, FileCutBeforeALaterDirectoryIsRefused) {
    // libtiff writes each directory after its page, so a cut in page 3's data
    // loses page 3's directory.
    const fs::path source = fixture("documents/letter-std-mmr.tif");
    const fs::path path = dir_ / "cut.tif";
    std::ifstream in(source, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size() - 1000);
    try {
        Document::open(path);
        ADD_FAILURE() << "opened";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr("truncated"));
        EXPECT_THAT(e.what(), HasSubstr("page 3"));
    }
}

TEST_F(DocumentTest, MissingResolutionIsFineOnlyAt1728) {
    BilevelPage fax = BilevelPage::blank(1728, 20, 0, 0);
    const Document doc = Document::open(write("fax.tif", {fax}));
    EXPECT_DOUBLE_EQ(doc.pages()[0].x_dpi, 204);
    EXPECT_DOUBLE_EQ(doc.pages()[0].y_dpi, 196);
    EXPECT_TRUE(doc.fax_shaped());

    BilevelPage other = BilevelPage::blank(1000, 20, 0, 0);
    const fs::path path = write("other.tif", {fax, other});
    try {
        Document::open(path);
        ADD_FAILURE() << "opened";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr(path.string() + ": page 2 has no resolution"));
    }
}

TEST_F(DocumentTest, FaxShapedAcceptsAllFaxWidthsAndThreePercent) {
    EXPECT_TRUE(Document::open(write("b4.tif", {BilevelPage::blank(2048, 8, 204, 391),
                                                BilevelPage::blank(2432, 8, 200, 200)}))
                    .fax_shaped());
    EXPECT_FALSE(Document::open(write("wide.tif", {BilevelPage::blank(1728, 8, 204, 196),
                                                   BilevelPage::blank(1730, 8, 204, 196)}))
                     .fax_shaped());
    EXPECT_FALSE(
        Document::open(write("x.tif", {BilevelPage::blank(1728, 8, 210.5, 196)})).fax_shaped());
    EXPECT_FALSE(
        Document::open(write("y.tif", {BilevelPage::blank(1728, 8, 204, 150)})).fax_shaped());
}

class DocumentRoundTrip : public DocumentTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(DocumentRoundTrip, FaxShapedInputIsCopiedPixelForPixel) {
    const fs::path source = fixture(std::string("documents/") + GetParam());
    const fs::path out = dir_ / "out.tif";
    const Document doc = Document::open(source);
    ASSERT_TRUE(doc.fax_shaped());
    EXPECT_THAT(doc.write_fax_tiff(out), ::testing::IsEmpty());

    const auto result = compare_fax_images(source, out);
    EXPECT_TRUE(result.equal) << result.detail;
    const Document written = Document::open(out);
    ASSERT_EQ(written.page_count(), doc.page_count());
    for (const PageInfo& page : written.pages()) {
        EXPECT_EQ(page.compression, COMPRESSION_CCITTFAX4);
        EXPECT_EQ(page.photometric, PHOTOMETRIC_MINISWHITE);
    }
    expect_spandsp_can_send(out, doc.page_count());
}

INSTANTIATE_TEST_SUITE_P(Document, DocumentRoundTrip,
                         ::testing::Values("letter-fine-mh.tif", "letter-fine-mr.tif",
                                           "letter-fine-mmr.tif", "letter-std-mh.tif",
                                           "letter-std-mr.tif", "letter-std-mmr.tif",
                                           "short-fine-mmr.tif", "short-std-mmr.tif",
                                           "short-fine-mh-lsb-minisblack.tif", "mixed-res.tif"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             }
                             return name;
                         });

TEST_F(DocumentTest, WrittenFileHasTheTiffFTags) {
    const fs::path out = dir_ / "tags.tif";
    Document::open(fixture("documents/mixed-res.tif")).write_fax_tiff(out);
    TIFF* tif = TIFFOpen(out.c_str(), "r");
    ASSERT_NE(tif, nullptr);
    const float y_dpis[] = {196, 98};
    for (uint16_t page = 0; page < 2; ++page) {
        SCOPED_TRACE(::testing::Message() << "page " << page + 1);
        ASSERT_EQ(TIFFSetDirectory(tif, page), 1);
        uint16_t u16 = 0;
        uint16_t total = 0;
        uint32_t u32 = 0;
        float res = 0;
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_PAGENUMBER, &u16, &total), 1);
        EXPECT_EQ(u16, page);
        EXPECT_EQ(total, 2);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, &u16), 1);
        EXPECT_EQ(u16, 1);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &u16), 1);
        EXPECT_EQ(u16, PHOTOMETRIC_MINISWHITE);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_FILLORDER, &u16), 1);
        EXPECT_EQ(u16, FILLORDER_MSB2LSB);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_COMPRESSION, &u16), 1);
        EXPECT_EQ(u16, COMPRESSION_CCITTFAX4);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &u16), 1);
        EXPECT_EQ(u16, RESUNIT_INCH);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_XRESOLUTION, &res), 1);
        EXPECT_EQ(res, 204);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_YRESOLUTION, &res), 1);
        EXPECT_EQ(res, y_dpis[page]);
        ASSERT_EQ(TIFFGetField(tif, TIFFTAG_ROWSPERSTRIP, &u32), 1);
        uint32_t height = 0;
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
        EXPECT_EQ(u32, height);
        EXPECT_EQ(TIFFNumberOfStrips(tif), 1u);
    }
    TIFFClose(tif);
}

TEST_F(DocumentTest, GhostscriptLetterIsCroppedToTheCentre1728Columns) {
    const fs::path source = fixture("documents/letter-gs-tiffg4.tif");
    const fs::path out = dir_ / "letter.tif";
    const auto notes = Document::open(source).write_fax_tiff(out);
    EXPECT_THAT(notes,
                ElementsAre("page 1: 1734 px wide at 204 dpi, cropped 3+3 white columns to 1728",
                            "page 2: 1734 px wide at 204 dpi, cropped 3+3 white columns to 1728"));
    const auto before = read_bilevel_pages(source);
    const auto after = read_bilevel_pages(out);
    ASSERT_EQ(after.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        ASSERT_EQ(after[i].width, 1728u);
        ASSERT_EQ(after[i].height, before[i].height);
        EXPECT_DOUBLE_EQ(after[i].y_dpi, 196);
        size_t mismatches = 0;
        size_t black = 0;
        for (uint32_t y = 0; y < after[i].height; ++y) {
            for (uint32_t x = 0; x < 1728; ++x) {
                mismatches += after[i].black(x, y) != before[i].black(x + 3, y);
                black += after[i].black(x, y);
            }
        }
        EXPECT_EQ(mismatches, 0u) << "page " << i + 1;
        EXPECT_GT(black, 1000u) << "page " << i + 1;
    }
    expect_spandsp_can_send(out, 2);
}

TEST_F(DocumentTest, NarrowPageIsPaddedAndBlackLossIsReported) {
    BilevelPage narrow = BilevelPage::blank(1687, 10, 204, 196);
    narrow.set(0, 0, true);
    narrow.set(1686, 9, true);
    BilevelPage wide = BilevelPage::blank(1740, 10, 204, 98);
    for (uint32_t y = 0; y < 10; ++y) wide.set(2, y, true);  // inside the 6 cropped columns
    wide.set(6, 5, true);                                    // the first column kept
    const fs::path out = dir_ / "out.tif";
    const auto notes = Document::open(write("in.tif", {narrow, wide})).write_fax_tiff(out);
    EXPECT_THAT(
        notes,
        ElementsAre("page 1: 1687 px wide at 204 dpi, padded with 20+21 white columns to 1728",
                    "page 2: 1740 px wide at 204 dpi, cropped 6+6 columns to 1728, losing "
                    "10 black pixels"));
    const auto pages = read_bilevel_pages(out);
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_TRUE(pages[0].black(20, 0));
    EXPECT_TRUE(pages[0].black(1706, 9));
    EXPECT_TRUE(pages[1].black(0, 5));
    EXPECT_DOUBLE_EQ(pages[1].y_dpi, 98);
    size_t black = 0;
    for (const auto& page : pages) {
        for (uint32_t y = 0; y < page.height; ++y) {
            for (uint32_t x = 0; x < page.width; ++x) black += page.black(x, y);
        }
    }
    EXPECT_EQ(black, 3u);
}

TEST_F(DocumentTest, A4At300DpiIsScaledToFaxGeometry) {
    const fs::path source = fixture("documents/a4-300dpi.tif");
    const fs::path out = dir_ / "a4.tif";
    const auto notes = Document::open(source).write_fax_tiff(out);
    EXPECT_THAT(notes, ElementsAre("page 1: 2480 px wide at 300 dpi, scaled to 1728 px; 300 lpi "
                                   "rescaled to 196 lpi (3508 rows to 2292)"));
    const Document written = Document::open(out);
    EXPECT_TRUE(written.fax_shaped());
    ASSERT_EQ(written.page_count(), 1u);
    EXPECT_EQ(written.pages()[0].width, 1728u);
    EXPECT_EQ(written.pages()[0].height, 2292u);

    // Same ink, in the same places: compare the share of black per band of
    // 1/8 of the page height with the source.
    const BilevelPage src = read_bilevel_pages(source)[0];
    const BilevelPage dst = read_bilevel_pages(out)[0];
    for (int band = 0; band < 8; ++band) {
        auto share = [band](const BilevelPage& page) {
            size_t black = 0;
            const uint32_t top = page.height * band / 8;
            const uint32_t bottom = page.height * (band + 1) / 8;
            for (uint32_t y = top; y < bottom; ++y) {
                for (uint32_t x = 0; x < page.width; ++x) black += page.black(x, y);
            }
            return static_cast<double>(black) / (page.width * (bottom - top));
        };
        const double s = share(src);
        const double d = share(dst);
        EXPECT_NEAR(d, s, 0.25 * s + 1e-4) << "band " << band;
    }
    expect_spandsp_can_send(out, 1);
}

TEST_F(DocumentTest, OffFaxVerticalResolutionIsRescaled) {
    BilevelPage page = BilevelPage::blank(1728, 300, 204, 300);
    for (uint32_t x = 0; x < 1728; ++x) page.set(x, 150, true);  // a one-row rule
    const fs::path out = dir_ / "out.tif";
    const auto notes = Document::open(write("in.tif", {page})).write_fax_tiff(out);
    EXPECT_THAT(notes, ElementsAre("page 1: 300 lpi rescaled to 196 lpi (300 rows to 196)"));
    const auto pages = read_bilevel_pages(out);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].height, 196u);
    EXPECT_DOUBLE_EQ(pages[0].y_dpi, 196);
    // The thin rule survives shrinking, on every column.
    size_t rule = 0;
    for (uint32_t y = 95; y < 102; ++y) {
        for (uint32_t x = 0; x < 1728; ++x) rule += pages[0].black(x, y);
    }
    EXPECT_GE(rule, 1728u);
    EXPECT_LE(rule, 2 * 1728u);
}

TEST_F(DocumentTest, NearFaxResolutionIsWrittenAtTheExactFaxValues) {
    BilevelPage page = BilevelPage::blank(1728, 30, 200, 200);
    page.set(17, 3, true);
    const fs::path out = dir_ / "out.tif";
    EXPECT_THAT(Document::open(write("in.tif", {page})).write_fax_tiff(out), ::testing::IsEmpty());
    const auto pages = read_bilevel_pages(out);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_DOUBLE_EQ(pages[0].x_dpi, 204);
    EXPECT_DOUBLE_EQ(pages[0].y_dpi, 196);
    EXPECT_EQ(pages[0].bits, page.bits);
}

TEST_F(DocumentTest, PageTooLongAfterRescalingIsRefused) {
    const fs::path path = write("long.tif", {BilevelPage::blank(1728, 20000, 204, 50)});
    const Document doc = Document::open(path);
    try {
        doc.write_fax_tiff(dir_ / "out.tif");
        ADD_FAILURE() << "written";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr("page 1 is 20000 rows at 50 lpi, too long to fax"));
    }
    EXPECT_FALSE(fs::exists(dir_ / "out.tif"));
}

TEST_F(DocumentTest, WriteReplacesAtomicallyAndLeavesNoTemporaryFiles) {
    const fs::path out = dir_ / "fax.tif";
    std::ofstream(out) << "old contents";
    const Document doc = Document::open(fixture("documents/short-std-mmr.tif"));
    doc.write_fax_tiff(out);
    EXPECT_TRUE(compare_fax_images(doc.path(), out).equal);
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
        names.push_back(entry.path().filename().string());
    }
    EXPECT_THAT(names, ElementsAre("fax.tif"));

    // Rewriting a document over itself is safe too.
    const fs::path copy = dir_ / "self.tif";
    fs::copy_file(fixture("documents/letter-gs-tiffg4.tif"), copy);
    Document::open(copy).write_fax_tiff(copy);
    EXPECT_TRUE(Document::open(copy).fax_shaped());
}

TEST_F(DocumentTest, WriteIntoMissingFolderIsAnIoError) {
    const Document doc = Document::open(fixture("documents/short-std-mmr.tif"));
    try {
        doc.write_fax_tiff(dir_ / "absent" / "fax.tif");
        ADD_FAILURE() << "written";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_THAT(e.what(), HasSubstr("fax.tif"));
    }
}

TEST_F(DocumentTest, WriteNoticesTheSourceChangedSinceOpen) {
    const fs::path path = write("doc.tif", {BilevelPage::blank(1728, 20, 204, 98)});
    const Document doc = Document::open(path);
    write_bilevel_pages(path, {BilevelPage::blank(1728, 40, 204, 98)}, COMPRESSION_CCITTFAX4);
    try {
        doc.write_fax_tiff(dir_ / "out.tif");
        ADD_FAILURE() << "written";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadDocument);
        EXPECT_THAT(e.what(), HasSubstr("changed since it was opened"));
    }
}

}  // namespace
}  // namespace faxemu
