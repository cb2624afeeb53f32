#include "tools/chaos/marked_pages.hpp"

#include <tiffio.h>

#include <fstream>
#include <iterator>

#include "core/image_compare.hpp"

namespace faxemu::chaos {

namespace {

// The mark: a fixed 4-bit preamble, 20 bits of submission, 4 bits of page,
// then 4 bits of check, each bit a block of kBlockW x kBlockH pixels.
constexpr std::uint32_t kWidth = 1728;
constexpr std::uint32_t kHeight = 1100;  // about a letter page at 98 lpi
constexpr std::uint32_t kBlockW = 48;
constexpr std::uint32_t kBlockH = 32;
constexpr std::uint32_t kTop = 40;
constexpr std::uint32_t kLeft = 96;
constexpr std::uint32_t kPreamble = 0b1011;
constexpr int kBits = 32;

std::uint32_t check_bits(std::uint32_t submission, std::uint32_t page) {
    return (submission ^ (submission >> 4) ^ (submission >> 8) ^ (submission >> 12) ^
            (submission >> 16) ^ page ^ 0b0110) &
           0xF;
}

std::uint32_t encode(const PageMark& m) {
    return (kPreamble << 28) | ((m.submission & 0xFFFFF) << 8) | ((m.page & 0xF) << 4) |
           check_bits(m.submission & 0xFFFFF, m.page & 0xF);
}

void fill(BilevelPage& p, std::uint32_t x0, std::uint32_t y0, std::uint32_t w, std::uint32_t h) {
    for (std::uint32_t y = y0; y < y0 + h && y < p.height; ++y)
        for (std::uint32_t x = x0; x < x0 + w && x < p.width; ++x) p.set(x, y, true);
}

}  // namespace

std::vector<std::uint8_t> make_marked_document(std::uint32_t submission, std::uint32_t pages,
                                               std::mt19937_64& rng,
                                               const std::filesystem::path& scratch) {
    std::vector<BilevelPage> out;
    for (std::uint32_t n = 1; n <= pages; ++n) {
        BilevelPage p = BilevelPage::blank(kWidth, kHeight, 204, 98);
        const std::uint32_t code = encode({submission, n});
        for (int bit = 0; bit < kBits; ++bit)
            if ((code >> (kBits - 1 - bit)) & 1)
                fill(p, kLeft + bit * kBlockW, kTop, kBlockW, kBlockH);
        // Text-like lines of random words below the mark.
        std::uniform_int_distribution<std::uint32_t> word(8, 90), gap(8, 30);
        for (std::uint32_t y = kTop + 2 * kBlockH; y + 12 < kHeight - 40; y += 20) {
            for (std::uint32_t x = 120; x < kWidth - 200;) {
                const std::uint32_t w = word(rng);
                fill(p, x, y, w, 8 + static_cast<std::uint32_t>(rng() % 5));
                x += w + gap(rng);
            }
        }
        out.push_back(std::move(p));
    }
    const auto file = scratch / ("document-" + std::to_string(submission) + ".tif");
    write_bilevel_pages(file, out, COMPRESSION_CCITTFAX4);
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    std::filesystem::remove(file);
    return bytes;
}

std::vector<std::optional<PageMark>> read_marks(const std::filesystem::path& tiff) {
    std::vector<std::optional<PageMark>> marks;
    visit_bilevel_pages(tiff, [&](BilevelPage&& p, const TiffPageTags&) {
        if (p.width != kWidth || p.height < kTop + kBlockH) {
            marks.push_back(std::nullopt);
            return;
        }
        std::uint32_t code = 0;
        for (int bit = 0; bit < kBits; ++bit) {
            // The majority of a block's inner pixels, so a stray pixel does not flip a bit.
            int black = 0, total = 0;
            for (std::uint32_t y = kTop + 8; y < kTop + kBlockH - 8; y += 4)
                for (std::uint32_t x = kLeft + bit * kBlockW + 8;
                     x < kLeft + (bit + 1) * kBlockW - 8; x += 4, ++total)
                    black += p.black(x, y);
            code = (code << 1) | (2 * black > total ? 1u : 0u);
        }
        const PageMark m{(code >> 8) & 0xFFFFF, (code >> 4) & 0xF};
        if ((code >> 28) != kPreamble || (code & 0xF) != check_bits(m.submission, m.page) ||
            m.page == 0)
            marks.push_back(std::nullopt);
        else
            marks.push_back(m);
    });
    return marks;
}

}  // namespace faxemu::chaos
