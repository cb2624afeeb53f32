// What the conversion tests share: a converter into a temporary folder that
// checks the errors it must give (BadDocument, naming the document, leaking
// no spool path, leaving no work folder), and the share of black in an area.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stop_token>
#include <string>

#include "core/documents/conversion.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu::test {

class Converter {
  public:
    // Converts fixtures/`fixture`, named by its file name.
    ConversionResult run(const std::string& fixture, FaxResolution resolution = FaxResolution::Fine,
                         ConversionLimits limits = {}) {
        return run_file(test::fixture(fixture), resolution, limits);
    }
    ConversionResult run_file(const std::filesystem::path& input,
                              FaxResolution resolution = FaxResolution::Fine,
                              ConversionLimits limits = {}, const std::string& paper = "letter") {
        ConversionRequest r;
        r.input = input;
        r.name = input.filename().string();
        r.output = output();
        r.work_dir = tmp.path() / "work";
        r.resolution = resolution;
        r.paper = paper;
        r.limits = limits;
        return convert_document(r, stop.get_token());
    }
    // The message of the FaxError(BadDocument) converting fixtures/`fixture` must throw.
    std::string error_of(const std::string& fixture, ConversionLimits limits = {}) {
        const std::string name = std::filesystem::path(fixture).filename().string();
        try {
            run(fixture, FaxResolution::Fine, limits);
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadDocument) << e.what();
            const std::string what = e.what();
            EXPECT_EQ(what.find(tmp.path().string()), std::string::npos)
                << "a spool path leaked: " << what;
            EXPECT_EQ(what.find(FAXEMU_SOURCE_DIR), std::string::npos) << "a path leaked: " << what;
            EXPECT_NE(what.find("\"" + name + "\""), std::string::npos) << what;
            EXPECT_FALSE(std::filesystem::exists(tmp.path() / "work")) << "work folder left";
            return what;
        }
        ADD_FAILURE() << fixture << " was converted";
        return "";
    }
    std::filesystem::path output() const { return tmp.path() / "out.tif"; }

    // Writes `text` to a file named `name` in the temporary folder.
    std::filesystem::path file(const std::string& name, const std::string& text) const {
        const auto path = tmp.path() / name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    test::TempDir tmp;
    std::stop_source stop;
};

// Share of black pixels in [x0,x1)x[y0,y1) of `page`, clipped to it.
inline double ink(const BilevelPage& page, long x0, long y0, long x1, long y1) {
    x0 = std::max(0L, x0);
    y0 = std::max(0L, y0);
    x1 = std::min<long>(page.width, x1);
    y1 = std::min<long>(page.height, y1);
    long black = 0, all = 0;
    for (long y = y0; y < y1; ++y)
        for (long x = x0; x < x1; ++x, ++all) black += page.black(x, y);
    return all ? static_cast<double>(black) / all : 0;
}

// Share of black in a box given in the points of a Letter template (612 pt
// fitted to the page's width), as cover pages are drawn.
inline double ink_at_points(const BilevelPage& page, double x_pt, double y_pt, double w_pt,
                            double h_pt) {
    const double x = page.width / 612.0;
    const double y = x * page.y_dpi / page.x_dpi;
    return ink(page, static_cast<long>(x_pt * x), static_cast<long>(y_pt * y),
               static_cast<long>((x_pt + w_pt) * x), static_cast<long>((y_pt + h_pt) * y));
}

// The smallest box holding every black pixel of `page`; empty (x1 <= x0) when none.
struct Box {
    long x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    long width() const { return x1 - x0; }
    long height() const { return y1 - y0; }
};
inline Box ink_box(const BilevelPage& page) {
    Box box{static_cast<long>(page.width), static_cast<long>(page.height), 0, 0};
    for (uint32_t y = 0; y < page.height; ++y)
        for (uint32_t x = 0; x < page.width; ++x)
            if (page.black(x, y)) {
                box.x0 = std::min<long>(box.x0, x);
                box.y0 = std::min<long>(box.y0, y);
                box.x1 = std::max<long>(box.x1, x + 1);
                box.y1 = std::max<long>(box.y1, y + 1);
            }
    return box;
}

}  // namespace faxemu::test
