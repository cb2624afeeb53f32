// A received fax as a PDF that a person can open, print or archive: each page's
// fax image goes in losslessly as CCITT G4 (an image XObject with
// /CCITTFaxDecode), never re-rasterised, on a page whose size follows from the
// image's pixels and resolution, so it prints at its true size. Written with
// qpdf (Debian's libqpdf), not by hand.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace faxemu {

// Writes the bilevel TIFF `tiff` (one PDF page per TIFF page) to `pdf`,
// atomically. A page that is already G4, white-is-zero and in one strip goes
// in byte for byte (bits reversed if its fill order is LSB first); any other
// page is decoded and encoded as G4 first. Page size in points: pixels × 72 /
// dpi (a page without resolution reads as Document::open says). The output is
// the same bytes for the same input (deterministic /ID), so a copy made twice
// is the same file. Throws FaxError (BadDocument when `tiff` is not a readable
// bilevel TIFF, Io when writing fails).
// `mode`: the file's permissions, set whatever the umask; none: 0666 less the umask.
void write_fax_pdf(const std::filesystem::path& tiff, const std::filesystem::path& pdf,
                   std::optional<mode_t> mode = std::nullopt);

}  // namespace faxemu
