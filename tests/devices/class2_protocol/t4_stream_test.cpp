// Page data for the Class 2 host: TIFF-F -> raw T.4/T.6 per page -> TIFF-F,
// pixel for pixel, in every coding and both bit orders; and the session
// parameters of +FDCS/+FCS.
#include "devices/class2_protocol/t4_stream.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <tuple>

#include "core/bit_reversal.hpp"
#include "core/documents/document.hpp"
#include "core/error.hpp"
#include "core/image_compare.hpp"
#include "devices/class2_protocol/class2_params.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using test::fixture;
using test::TempDir;

std::filesystem::path fax_tiff(const TempDir& tmp, const std::string& name) {
    const auto out = tmp.path() / ("send-" + name);
    Document::open(fixture("documents/" + name)).write_fax_tiff(out);
    return out;
}

class T4RoundTrip : public ::testing::TestWithParam<std::tuple<const char*, int, Class2BitOrder>> {
};

TEST_P(T4RoundTrip, PixelIdentical) {
    const auto& [name, df, order] = GetParam();
    TempDir tmp;
    const auto sent = fax_tiff(tmp, name);
    const auto received = tmp.path() / "received.tif";
    T4PageEncoder encoder(sent);
    ASSERT_GT(encoder.page_count(), 0);
    {
        T4PageWriter writer(received);
        while (encoder.more()) {
            const T4SourcePage info = encoder.next_page_info();
            std::vector<std::uint8_t> data = encoder.encode_next(df, order);
            ASSERT_GT(data.size(), 100u);
            writer.start_page(df, info.vr, info.width, order);
            // In pieces, as it comes off the serial line. (RTC ending exactly on the
            // last byte is only seen once more bits follow, so `complete` may stay
            // false; the rows are all there, as the comparison below shows.)
            for (std::size_t i = 0; i < data.size(); i += 97)
                writer.put(data.data() + i, std::min<std::size_t>(97, data.size() - i));
            T4ReceivedPage page = writer.end_page();
            EXPECT_EQ(page.bad_rows, 0);
            EXPECT_GT(page.rows, 0);
        }
        EXPECT_EQ(writer.pages(), encoder.page_count());
    }
    ImageComparison cmp = compare_fax_images(sent, received);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

INSTANTIATE_TEST_SUITE_P(
    Codings, T4RoundTrip,
    ::testing::Combine(::testing::Values("letter-std-mh.tif", "letter-fine-mr.tif",
                                         "mixed-res.tif"),
                       ::testing::Values(0, 1, 3),
                       ::testing::Values(Class2BitOrder::Direct, Class2BitOrder::Reversed)),
    [](const ::testing::TestParamInfo<T4RoundTrip::ParamType>& i) {
        std::string name = std::get<0>(i.param);
        name = name.substr(0, name.find('.'));
        for (char& c : name)
            if (c == '-') c = '_';
        const int df = std::get<1>(i.param);
        name += df == 0 ? "_MH" : df == 1 ? "_MR" : "_MMR";
        name += std::get<2>(i.param) == Class2BitOrder::Direct ? "_direct" : "_reversed";
        return name;
    });

TEST(T4Stream, DirectOrderPutsTheFirstLineBitInTheLsb) {
    TempDir tmp;
    T4PageEncoder direct(fax_tiff(tmp, "short-std-mmr.tif"));
    T4PageEncoder reversed(fax_tiff(tmp, "short-std-mmr.tif"));
    auto d = direct.encode_next(0, Class2BitOrder::Direct);
    auto r = reversed.encode_next(0, Class2BitOrder::Reversed);
    ASSERT_EQ(d.size(), r.size());
    // An MH page starts with EOL, eleven 0 bits then a 1: bit 12 on the line.
    EXPECT_EQ(d[0], 0x00);
    EXPECT_EQ(d[1] & 0x0F, 0x08);
    EXPECT_EQ(r[1] & 0xF0, 0x10);
    reverse_bits(std::span(r));
    EXPECT_EQ(d, r);
}

TEST(T4Stream, PageRangeAndResolutions) {
    TempDir tmp;
    const auto doc = fax_tiff(tmp, "mixed-res.tif");
    T4PageEncoder all(doc);
    ASSERT_EQ(all.page_count(), 2);
    EXPECT_EQ(all.page(0).vr, 1);
    EXPECT_EQ(all.page(1).vr, 0);
    EXPECT_EQ(all.page(0).width, 1728);
    T4PageEncoder second(doc, 1, -1);
    ASSERT_EQ(second.page_count(), 1);
    EXPECT_EQ(second.next_page_info().vr, 0);
    second.encode_next(1, Class2BitOrder::Direct);
    EXPECT_FALSE(second.more());
    EXPECT_EQ(test::code_of([&] { second.encode_next(1, Class2BitOrder::Direct); }),
              ErrorCode::BadDocument);
    EXPECT_EQ(test::code_of([&] { T4PageEncoder(doc, 2, -1); }), ErrorCode::BadDocument);
    EXPECT_EQ(test::code_of([&] { T4PageEncoder(tmp.path() / "missing.tif"); }), ErrorCode::Io);
    std::ofstream(tmp.path() / "not.tif") << "not a TIFF";
    EXPECT_EQ(test::code_of([&] { T4PageEncoder(tmp.path() / "not.tif"); }),
              ErrorCode::BadDocument);
    EXPECT_EQ(test::code_of([&] { all.encode_next(2, Class2BitOrder::Direct); }),
              ErrorCode::InvalidParameter);
}

TEST(Class2Params, ParseAndFormat) {
    auto p = parse_class2_params("1,5,0,2,3,1,0,0", Class2Variant::Class2);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->vr, 1);
    EXPECT_EQ(p->br, 5);
    EXPECT_EQ(p->ln, 2);
    EXPECT_EQ(p->df, 3);
    EXPECT_EQ(p->ec, 1);
    EXPECT_EQ(format_class2_params(*p, Class2Variant::Class2), "1,5,0,2,3,1,0,0");
    // Class 2.0 is hexadecimal; short lists and blanks are fine.
    auto h = parse_class2_params(" 0, D ,0", Class2Variant::Class20);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->br, 13);
    EXPECT_EQ(format_class2_params(*h, Class2Variant::Class20), "0,D,0,0,0,0,0,0");
    EXPECT_FALSE(parse_class2_params("0,D,0", Class2Variant::Class2));
    EXPECT_FALSE(parse_class2_params("1,2,3,4,5,6,7,8,9", Class2Variant::Class2));
    EXPECT_FALSE(parse_class2_params("", Class2Variant::Class2));
    EXPECT_FALSE(parse_class2_params("1;2", Class2Variant::Class2));

    DcsInfo info = to_dcs_info(*p, true);
    EXPECT_EQ(info.bit_rate, 14400);
    EXPECT_EQ(info.modulation, "V.17");
    EXPECT_EQ(info.resolution, "fine");
    EXPECT_EQ(info.compression, "MMR");
    EXPECT_TRUE(info.ecm);
    Class2Params v29{0, 3, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(to_dcs_info(v29, false).modulation, "V.29");
    EXPECT_EQ(to_dcs_info(v29, true).modulation, "V.17");
    EXPECT_EQ(to_dcs_info(Class2Params{0, 1, 0, 0, 1, 0, 0, 0}, true).modulation, "V.27ter");
    EXPECT_EQ(unquote_id(" \"  +1 555 0100\" "), "+1 555 0100");
}

}  // namespace
}  // namespace faxemu
