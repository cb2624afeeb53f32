// A document to fax: a multi-page bilevel TIFF, checked page by page when it
// is opened, and rewritten as a TIFF-F that spandsp can send.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/image_compare.hpp"

namespace faxemu {

struct PageInfo {
    uint32_t width = 0;   // pixels
    uint32_t height = 0;  // rows
    double x_dpi = 0;     // per inch; a 1728 px page without resolution tags reads as 204x196
    double y_dpi = 0;
    uint16_t compression = 0;  // libtiff COMPRESSION_*
    uint16_t photometric = 0;  // PHOTOMETRIC_MINISWHITE or PHOTOMETRIC_MINISBLACK
};

class Document {
  public:
    // Reads and fully decodes every page. Throws FaxError(Io) if the file is
    // missing or unreadable, and FaxError(BadDocument, "<path>: <reason>") if
    // it is not a TIFF, has no pages, is truncated or corrupt, has a page that
    // is not bilevel or is larger than 10000x30000, or a page without
    // resolution that is not 1728 px wide.
    // `gate` (see visit_bilevel_pages) sees each page before it is decoded.
    static Document open(const std::filesystem::path& path, const BilevelPageGate& gate = {});

    const std::filesystem::path& path() const { return path_; }
    size_t page_count() const { return pages_.size(); }
    const std::vector<PageInfo>& pages() const { return pages_; }

    // True when every page can be sent as it is: 1728, 2048 or 2432 px wide at
    // 204 dpi, and 98, 196 or 391 lpi (all within 3%).
    bool fax_shaped() const;

    // Writes the document to `out` as TIFF-F for spandsp: G4, MINISWHITE,
    // MSB2LSB, one strip per page, resolution at the exact fax values, page
    // numbers. Atomic (temp file in the same folder, fsync, rename). Pages that
    // are not fax-shaped are converted: near-1728 px pages at 204 dpi are
    // cropped or padded, others scaled to 1728 px; a vertical resolution off the
    // fax values is rescaled to 98 or 196 lpi. Returns one note per converted
    // page, e.g. "page 1: 1734 px wide at 204 dpi, cropped 3+3 white columns to
    // 1728". Throws FaxError (BadDocument if the file changed since open, Io).
    // `mode`: the file's permissions, set whatever the umask; none: 0666 less the umask.
    std::vector<std::string> write_fax_tiff(const std::filesystem::path& out,
                                            const BilevelPageGate& gate = {},
                                            std::optional<mode_t> mode = std::nullopt) const;

  private:
    Document(std::filesystem::path path, std::vector<PageInfo> pages)
        : path_(std::move(path)), pages_(std::move(pages)) {}

    std::filesystem::path path_;
    std::vector<PageInfo> pages_;
};

}  // namespace faxemu
