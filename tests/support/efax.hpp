// Driving efax (Debian's efax, a third-party Class 1/2/2.0 fax program) in tests:
// its input files, its output files, and how a page it sent is compared with ours.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/image_compare.hpp"

namespace faxemu::test {

inline constexpr const char* kEfax = "/usr/bin/efax";

// efax's input: one raw PBM (P4) per page of `doc`, written into `dir`.
inline std::vector<std::string> efax_pages(const std::filesystem::path& doc,
                                           const std::filesystem::path& dir, std::size_t max = 99) {
    std::vector<std::string> files;
    for (BilevelPage& page : read_bilevel_pages(doc)) {
        if (files.size() == max) break;
        const auto name = dir / ("page" + std::to_string(files.size() + 1) + ".pbm");
        std::ofstream out(name, std::ios::binary);
        out << "P4\n" << page.width << " " << page.height << "\n";
        out.write(reinterpret_cast<const char*>(page.bits.data()),
                  static_cast<std::streamsize>(page.bits.size()));
        files.push_back(name.string());
    }
    return files;
}

// efax -r writes one TIFF-F per page: PREFIX.001, PREFIX.002, ...
inline std::vector<BilevelPage> efax_received(const std::filesystem::path& prefix) {
    std::vector<BilevelPage> got;
    for (int n = 1;; ++n) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, ".%03d", n);
        const std::filesystem::path page = prefix.string() + suffix;
        if (!std::filesystem::exists(page)) break;
        for (BilevelPage& p : read_bilevel_pages(page)) got.push_back(std::move(p));
    }
    return got;
}

// efax reserves a header band on top of every page it sends (blank with -h ""):
// the received page must hold the sent one pixel for pixel below that band, and
// every other row must be white. Returns the band's height in rows.
inline std::optional<std::uint32_t> expect_sent_by_efax(const BilevelPage& want,
                                                        const BilevelPage& got) {
    EXPECT_EQ(got.width, want.width);
    EXPECT_NEAR(got.y_dpi, want.y_dpi, 1.0);
    if (got.width != want.width || got.height < want.height) {
        ADD_FAILURE() << "received " << got.width << "x" << got.height << ", sent " << want.width
                      << "x" << want.height;
        return std::nullopt;
    }
    const std::size_t stride = want.stride();
    const auto row = [&](const BilevelPage& p, std::uint32_t r) {
        return p.bits.begin() + static_cast<long>(r * stride);
    };
    const std::uint32_t extra = got.height - want.height;
    if (extra > 64) {
        ADD_FAILURE() << "efax added " << extra << " rows";
        return std::nullopt;
    }
    std::optional<std::uint32_t> offset;
    for (std::uint32_t k = 0; k <= extra && !offset; ++k)
        if (std::equal(want.bits.begin(), want.bits.end(), row(got, k))) offset = k;
    if (!offset) {
        ADD_FAILURE() << "the sent page is not in the received one at any row offset";
        return std::nullopt;
    }
    for (std::uint32_t r = 0; r < got.height; ++r) {
        if (r >= *offset && r < *offset + want.height) continue;
        if (!std::all_of(row(got, r), row(got, r + 1), [](std::uint8_t b) { return b == 0; })) {
            ADD_FAILURE() << "row " << r << " outside the sent page is not white";
            return std::nullopt;
        }
    }
    return offset;
}

}  // namespace faxemu::test
