// What kind of document a client sent, decided by its content (magic bytes and,
// for TIFF, its first page's tags), never by its name: a legacy client may call
// a PDF "fax.tif". The pipeline picks its converter by this type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace faxemu {

enum class DocumentType {
    Empty,        // 0 bytes
    BilevelTiff,  // 1 bit per pixel, one sample: fax-like
    GreyTiff,     // more than 1 bit, one sample
    ColourTiff,   // RGB, palette, CMYK, YCbCr
    Pdf,
    PostScript,  // including EPS
    Png,
    Jpeg,
    Gif,
    Bmp,
    Text,  // UTF-8 (ASCII included) without control characters but tab, CR, LF, FF
    Unknown,
};

// "PDF", "bilevel TIFF", "plain text", ... for messages.
const char* to_string(DocumentType type);

// How many leading bytes detect_document_type reads; sniff_document_type gets
// at most this many.
inline constexpr std::size_t kSniffBytes = 64 * 1024;

// The type of a document whose first bytes are `head` (all of it when the
// document is shorter than kSniffBytes).
DocumentType sniff_document_type(std::span<const std::uint8_t> head);

// Reads the head of `file` and sniffs it. Throws FaxError(Io) if it cannot be read.
DocumentType detect_document_type(const std::filesystem::path& file);

// Why a document of `type` called `name` cannot be faxed, as an error message
// naming it: "\"notes.bin\": is not a document type faxemu knows (...)". Empty
// for a type the pipeline converts (all but Empty and Unknown).
std::string unsupported_reason(DocumentType type, const std::string& name);

}  // namespace faxemu
