// Finding 5 of the faults issue: one sender's huge document must not stall the
// control protocol. While a client submits 200 blank 7000x7000 pages (small on
// the wire, slow to decode), another client's ports.list answers within 1 s.
#include <gtest/gtest.h>
#include <tiffio.h>

#include <future>
#include <optional>

#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using namespace std::chrono_literals;
using test::json;

// `pages` blank bilevel pages of width x height at 1000 dpi, G4: one page is
// encoded by libtiff and its strip copied, so making the file takes no time.
void write_blank_pages(const std::filesystem::path& file, std::uint32_t width, std::uint32_t height,
                       int pages) {
    auto set_tags = [&](TIFF* t, int page) {
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, height);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, height);
        TIFFSetField(t, TIFFTAG_XRESOLUTION, 1000.0);
        TIFFSetField(t, TIFFTAG_YRESOLUTION, 1000.0);
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        TIFFSetField(t, TIFFTAG_PAGENUMBER, page, pages);
    };
    const auto one = file.string() + ".one";
    {
        TIFF* t = TIFFOpen(one.c_str(), "w");
        ASSERT_NE(t, nullptr);
        set_tags(t, 0);
        std::vector<std::uint8_t> row((width + 7) / 8, 0);
        for (std::uint32_t y = 0; y < height; ++y) TIFFWriteScanline(t, row.data(), y, 0);
        TIFFClose(t);
    }
    std::vector<std::uint8_t> strip;
    {
        TIFF* t = TIFFOpen(one.c_str(), "r");
        ASSERT_NE(t, nullptr);
        strip.resize(static_cast<std::size_t>(TIFFRawStripSize(t, 0)));
        TIFFReadRawStrip(t, 0, strip.data(), static_cast<tmsize_t>(strip.size()));
        TIFFClose(t);
    }
    TIFF* t = TIFFOpen(file.c_str(), "w");
    ASSERT_NE(t, nullptr);
    for (int page = 0; page < pages; ++page) {
        set_tags(t, page);
        TIFFWriteRawStrip(t, 0, strip.data(), static_cast<tmsize_t>(strip.size()));
        TIFFWriteDirectory(t);
    }
    TIFFClose(t);
    std::filesystem::remove(one);
}

TEST(FaxdStall, AHugeDocumentDoesNotStallOtherClients) {
    test::FaxdHarness faxd;
    const auto file = faxd.tmp.path() / "huge-blank.tif";
    write_blank_pages(file, 7000, 7000, 200);
    auto sender = faxd.client("sender");
    auto viewer = faxd.client("viewer");
    auto submitted = std::async(std::launch::async, [&] {
        return sender->call("job.submit",
                            {{"number", "5551002"},
                             {"display_name", "huge-blank.tif"},
                             {"document", test::document_base64(file)}},
                            std::chrono::minutes(10));
    });
    // While the submission is served and while its document converts, every
    // other client's call is answered within a second.
    std::optional<std::int64_t> id;
    int asked_while_converting = 0;
    const auto end = std::chrono::steady_clock::now() + 60s;
    while (asked_while_converting < 3 && std::chrono::steady_clock::now() < end) {
        const auto start = std::chrono::steady_clock::now();
        json ports;
        ASSERT_NO_THROW(ports = viewer->call("ports.list", json::object(), 1s))
            << "ports.list got no answer within 1 s";
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
        EXPECT_EQ(ports.size(), 2u);
        if (!id && submitted.wait_for(0s) == std::future_status::ready)
            id = submitted.get()["job_id"].get<std::int64_t>();
        if (id) {
            const json job = viewer->call("job.get", {{"job_id", *id}}, 1s);
            if (job["state"] != "converting") break;
            // "the document" until the conversion tells how far it has got.
            const std::string text = job["queue_status_text"];
            EXPECT_TRUE(text == "Pending (converting the document)" ||
                        text.starts_with("Pending (converting huge-blank.tif"))
                << text;
            EXPECT_EQ(job["queue_status"], 0);  // JS_PENDING
            ++asked_while_converting;
        }
    }
    EXPECT_EQ(asked_while_converting, 3) << "the document was not seen converting";
}

}  // namespace
}  // namespace faxemu
