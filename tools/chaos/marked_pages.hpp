// Documents whose every page says which job and page it is: a row of black
// and white blocks at the top of the page. The chaos trials read the marks
// back from the receiving side's TIFFs to learn exactly which pages of which
// job arrived, and how often, whatever a crash did to the calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <vector>

namespace faxemu::chaos {

struct PageMark {
    std::uint32_t submission = 0;  // the trial's number for the submitted job (1..)
    std::uint32_t page = 0;        // 1..kMaxPages
    bool operator<(const PageMark& o) const {
        return submission != o.submission ? submission < o.submission : page < o.page;
    }
    bool operator==(const PageMark& o) const = default;
};

inline constexpr std::uint32_t kMaxPages = 15;

// A TIFF (MMR, 1728 px wide, standard resolution) of `pages` marked pages for
// `submission`, with random shapes from `rng` so pages take some line time.
std::vector<std::uint8_t> make_marked_document(std::uint32_t submission, std::uint32_t pages,
                                               std::mt19937_64& rng,
                                               const std::filesystem::path& scratch);

// The mark of each page of a received TIFF, in order; nullopt for a page
// without a readable mark. Throws FaxError when the file cannot be read.
std::vector<std::optional<PageMark>> read_marks(const std::filesystem::path& tiff);

}  // namespace faxemu::chaos
