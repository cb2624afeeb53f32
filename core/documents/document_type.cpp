#include "core/documents/document_type.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace faxemu {

namespace {

bool starts_with(std::span<const std::uint8_t> head, std::string_view magic) {
    return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
}

// TIFF's first directory, read by hand: the sniffer must not depend on libtiff
// accepting the file (a corrupt TIFF is still a TIFF, and the TIFF reader then
// says exactly what is wrong with it).
class TiffHead {
  public:
    explicit TiffHead(std::span<const std::uint8_t> head) : head_(head), little_(head[0] == 'I') {}

    DocumentType classify() const {
        std::uint32_t ifd = 0;
        if (!u32(4, ifd)) return DocumentType::BilevelTiff;
        std::uint16_t count = 0;
        if (!u16(ifd, count)) return DocumentType::BilevelTiff;
        std::uint32_t bits = 1, samples = 1, photometric = 0;
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::size_t entry = ifd + 2 + std::size_t{12} * i;
            std::uint16_t tag = 0, type = 0;
            std::uint32_t n = 0;
            if (!u16(entry, tag) || !u16(entry + 2, type) || !u32(entry + 4, n)) break;
            std::uint32_t value = 0;
            if (!first_value(entry + 8, type, n, value)) continue;
            if (tag == 258) bits = value;
            if (tag == 277) samples = value;
            if (tag == 262) photometric = value;
        }
        // Photometric 2 RGB, 3 palette, 5 separated (CMYK), 6 YCbCr.
        if (samples >= 3 || photometric == 2 || photometric == 3 || photometric == 5 ||
            photometric == 6)
            return DocumentType::ColourTiff;
        return bits <= 1 ? DocumentType::BilevelTiff : DocumentType::GreyTiff;
    }

  private:
    bool u16(std::size_t at, std::uint16_t& out) const {
        if (at + 2 > head_.size()) return false;
        out = little_ ? static_cast<std::uint16_t>(head_[at] | head_[at + 1] << 8)
                      : static_cast<std::uint16_t>(head_[at] << 8 | head_[at + 1]);
        return true;
    }
    bool u32(std::size_t at, std::uint32_t& out) const {
        std::uint16_t a = 0, b = 0;
        if (!u16(at, a) || !u16(at + 2, b)) return false;
        out = little_ ? (std::uint32_t{b} << 16 | a) : (std::uint32_t{a} << 16 | b);
        return true;
    }
    // The first of an entry's values: inline when they fit in 4 bytes, else at
    // the offset the entry holds.
    bool first_value(std::size_t field, std::uint16_t type, std::uint32_t n,
                     std::uint32_t& out) const {
        if (n == 0) return false;
        if (type == 3) {  // SHORT
            std::size_t at = field;
            if (n > 2) {
                std::uint32_t offset = 0;
                if (!u32(field, offset)) return false;
                at = offset;
            }
            std::uint16_t v = 0;
            if (!u16(at, v)) return false;
            out = v;
            return true;
        }
        if (type == 4 && n == 1) return u32(field, out);  // LONG
        return false;
    }

    std::span<const std::uint8_t> head_;
    bool little_;
};

// Valid UTF-8 with no control characters but tab, LF, CR and FF. A sequence
// cut by the end of the head is fine: the head is a prefix.
bool is_text(std::span<const std::uint8_t> head) {
    std::size_t i = 0;
    if (starts_with(head, "\xEF\xBB\xBF")) i = 3;
    for (; i < head.size(); ++i) {
        const std::uint8_t c = head[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
            if (c == 0x7F) return false;
            continue;
        }
        std::size_t more = 0;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3;
        else
            return false;
        for (std::size_t k = 1; k <= more; ++k) {
            if (i + k >= head.size()) return true;
            if ((head[i + k] & 0xC0) != 0x80) return false;
        }
        i += more;
    }
    return true;
}

}  // namespace

const char* to_string(DocumentType type) {
    switch (type) {
        case DocumentType::Empty:
            return "empty file";
        case DocumentType::BilevelTiff:
            return "bilevel TIFF";
        case DocumentType::GreyTiff:
            return "greyscale TIFF";
        case DocumentType::ColourTiff:
            return "colour TIFF";
        case DocumentType::Pdf:
            return "PDF";
        case DocumentType::PostScript:
            return "PostScript";
        case DocumentType::Png:
            return "PNG image";
        case DocumentType::Jpeg:
            return "JPEG image";
        case DocumentType::Gif:
            return "GIF image";
        case DocumentType::Bmp:
            return "BMP image";
        case DocumentType::Text:
            return "plain text";
        case DocumentType::Unknown:
            return "unknown";
    }
    return "unknown";
}

DocumentType sniff_document_type(std::span<const std::uint8_t> head) {
    if (head.empty()) return DocumentType::Empty;
    if (head.size() >= 8 && (starts_with(head, "II*\0") || starts_with(head, "MM\0*")))
        return TiffHead(head).classify();
    if (starts_with(head, "\x89PNG\r\n\x1A\n")) return DocumentType::Png;
    if (starts_with(head, "\xFF\xD8\xFF")) return DocumentType::Jpeg;
    if (starts_with(head, "GIF87a") || starts_with(head, "GIF89a")) return DocumentType::Gif;
    // "%!" PostScript, or the binary header of a DOS EPS file.
    if (starts_with(head, "%!") || starts_with(head, "\xC5\xD0\xD3\xC6"))
        return DocumentType::PostScript;
    // PDF readers accept up to 1 KiB of anything before the header.
    const auto window = head.first(std::min<std::size_t>(head.size(), 1024));
    static constexpr std::string_view kPdf = "%PDF-";
    if (std::search(window.begin(), window.end(), kPdf.begin(), kPdf.end()) != window.end())
        return DocumentType::Pdf;
    // "BM" and a known DIB header size: "BM" alone starts many a text.
    if (head.size() >= 18 && starts_with(head, "BM")) {
        const std::uint32_t dib =
            head[14] | head[15] << 8 | head[16] << 16 | static_cast<std::uint32_t>(head[17]) << 24;
        static constexpr std::array<std::uint32_t, 6> kDibSizes{12, 40, 52, 56, 108, 124};
        if (std::find(kDibSizes.begin(), kDibSizes.end(), dib) != kDibSizes.end())
            return DocumentType::Bmp;
    }
    if (is_text(head)) return DocumentType::Text;
    return DocumentType::Unknown;
}

DocumentType detect_document_type(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw FaxError(ErrorCode::Io, file.string() + ": cannot be read");
    std::vector<std::uint8_t> head(kSniffBytes);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return sniff_document_type(head);
}

std::string unsupported_reason(DocumentType type, const std::string& name) {
    const std::string quoted = "\"" + name + "\": ";
    switch (type) {
        case DocumentType::Empty:
            return quoted + "is empty (0 bytes), there is nothing to fax";
        case DocumentType::Unknown:
            return quoted +
                   "is not a document type faxemu knows (by its content it is none of TIFF, "
                   "PDF, PostScript, PNG, JPEG, GIF, BMP or UTF-8 text)";
        default:
            return "";
    }
}

}  // namespace faxemu
