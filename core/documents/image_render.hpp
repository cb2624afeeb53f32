// Images (PNG, JPEG, GIF, BMP, grey and colour TIFF) made into fax pages with
// libvips: turned upright by their EXIF orientation, scaled to fit the page
// inside its margins with their aspect kept (in inches: a fax pixel is twice
// or four times as wide as it is tall), flattened onto white, made grey, and
// dithered by error diffusion so that a grey area keeps its tone as a share of
// black pixels. Each page of a multi-page TIFF is a page; a GIF gives its
// first frame.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/documents/document_type.hpp"
#include "core/documents/fax_page.hpp"
#include "core/image_compare.hpp"

namespace faxemu {

// Blank border kept around an image, on every side.
inline constexpr double kImageMarginPt = 18;

// Renders `input`, whose content is of `type` and which the client calls
// `name`. `gate` is called with each page's number and its size in the file
// before its pixels are decoded; it enforces the caller's limits by throwing.
// Throws FaxError(BadDocument, "\"NAME\": [page N: ]reason") for an image
// libvips cannot read, FaxError(Io) if libvips cannot start.
std::vector<BilevelPage> render_image(const std::filesystem::path& input, DocumentType type,
                                      const std::string& name, const FaxPageGeometry& page,
                                      const BilevelPageGate& gate);

}  // namespace faxemu
