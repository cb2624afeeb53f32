// Bilevel page images as plain bitmaps: decoded from and encoded to TIFF with
// libtiff, and compared pixel for pixel (what was sent against what the far end
// received). Document builds on the reader; tests build synthetic files with
// the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace faxemu {

// Pages larger than this are refused before anything is allocated for them.
inline constexpr uint32_t kMaxPageWidth = 10000;
inline constexpr uint32_t kMaxPageHeight = 30000;

// One bilevel page. Rows are packed MSB first, 1 = black, each row padded to a
// whole byte; the padding bits are always 0 so that rows compare bytewise.
struct BilevelPage {
    uint32_t width = 0;
    uint32_t height = 0;
    double x_dpi = 0;  // per inch; 0 = unknown (the file has no resolution)
    double y_dpi = 0;
    std::vector<uint8_t> bits;

    size_t stride() const { return (static_cast<size_t>(width) + 7) / 8; }
    bool black(uint32_t x, uint32_t y) const {
        return (bits[y * stride() + x / 8] >> (7 - x % 8)) & 1;
    }
    void set(uint32_t x, uint32_t y, bool black);
    // A white page of the given size.
    static BilevelPage blank(uint32_t width, uint32_t height, double x_dpi, double y_dpi);
};

// What a page's tags said beyond its pixels.
struct TiffPageTags {
    uint16_t compression = 0;  // libtiff COMPRESSION_*
    uint16_t photometric = 0;  // PHOTOMETRIC_MINISWHITE or PHOTOMETRIC_MINISBLACK
};

// Decodes the pages of a TIFF one at a time, in order, and hands each to
// `visit`, so a long document is never held whole. Refuses anything that is not
// a readable, bilevel, strip-organised TIFF with at least one page, and any
// page whose data does not decode completely, with
// FaxError(BadDocument, "<path>: <reason>"); a file that cannot be opened at
// all is FaxError(Io). libtiff's own messages go into the reason, never to
// stderr.
// `gate`, when set, is called with each page's number (from 1) and size after
// its tags are checked and before anything is allocated for its pixels; it
// enforces a caller's limits (pages, pixels, time) by throwing.
using BilevelPageVisitor = std::function<void(BilevelPage&& page, const TiffPageTags& tags)>;
using BilevelPageGate = std::function<void(uint32_t page, uint32_t width, uint32_t height)>;
void visit_bilevel_pages(const std::filesystem::path& path, const BilevelPageVisitor& visit,
                         const BilevelPageGate& gate = {});

// All pages of a TIFF, normalised (MINISBLACK inverted, fill order undone).
std::vector<BilevelPage> read_bilevel_pages(const std::filesystem::path& path);

// Writes `pages` as a multi-page TIFF: MINISWHITE, FillOrder MSB2LSB, one strip
// per page, PageNumber (index from 0, total), resolution in inches (omitted for
// a page whose x_dpi or y_dpi is 0). `compression` is COMPRESSION_NONE,
// COMPRESSION_CCITTFAX3 (MH, or MR when t4_2d) or COMPRESSION_CCITTFAX4 (MMR).
// Not atomic: Document::write_fax_tiff adds that. Throws FaxError
// (InvalidParameter for a malformed page, Io when writing fails).
void write_bilevel_pages(const std::filesystem::path& path, const std::vector<BilevelPage>& pages,
                         uint16_t compression, bool t4_2d = false);

// What write_bilevel_pages does, one page at a time, so that a long document
// is never held whole: the file is created at once, `total` pages (for their
// PageNumber tags) must be added, and close() ends it. Throws as
// write_bilevel_pages does; close() also when fewer pages than `total` came.
class BilevelTiffWriter {
  public:
    BilevelTiffWriter(const std::filesystem::path& path, size_t total, uint16_t compression,
                      bool t4_2d = false);
    ~BilevelTiffWriter();
    BilevelTiffWriter(const BilevelTiffWriter&) = delete;
    BilevelTiffWriter& operator=(const BilevelTiffWriter&) = delete;
    void add(const BilevelPage& page);
    void close();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

struct ImageComparison {
    bool equal = false;
    // The first difference found, e.g. "3 pages vs 2", "page 2: 1234 rows vs
    // 1230", "page 1 row 77: 12 pixels differ (...)"; or "3 pages identical".
    // Pages count from 1, rows from 0 (the top row).
    std::string detail;
};

// Equal only when both files have the same number of pages and every page has
// the same width, height, resolution (within 3%) and pixels. Compression and
// other tags do not matter. Throws FaxError if either file cannot be read.
ImageComparison compare_fax_images(const std::filesystem::path& sent,
                                   const std::filesystem::path& received);

// Rows that `mm` millimetres span at `y_dpi` lines per inch (fine, 196, when
// unknown): how tall a band of fixed height is on a page.
uint32_t rows_for_mm(double mm, double y_dpi);

// For pages sent with a header stamped over their top (Branding): as
// compare_fax_images, but each page's top rows_for_mm(band_mm) rows are left
// out of the pixel comparison, and each received page must hold ink there.
ImageComparison compare_fax_images_below_band(const std::filesystem::path& sent,
                                              const std::filesystem::path& received,
                                              double band_mm);

}  // namespace faxemu
