#include "devices/serial/dle.hpp"

#include <gtest/gtest.h>

#include <random>

namespace faxemu {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Dle, StuffDoublesDleAndAppendsEnd) {
    const Bytes in{0x01, 0x10, 0x03, 0x10, 0x10};
    EXPECT_EQ(dle_stuff(in), (Bytes{0x01, 0x10, 0x10, 0x03, 0x10, 0x10, 0x10, 0x10, 0x10, 0x03}));
    EXPECT_EQ(dle_stuff(in, false), (Bytes{0x01, 0x10, 0x10, 0x03, 0x10, 0x10, 0x10, 0x10}));
}

TEST(Dle, DecoderStopsAfterEndAndReportsConsumed) {
    const Bytes wire{0x41, 0x10, 0x10, 0x42, 0x10, 0x03, '\r', '\n', 'O', 'K'};
    DleDecoder d;
    Bytes out;
    const auto r = d.feed(wire.data(), wire.size(), out);
    EXPECT_TRUE(r.end);
    EXPECT_EQ(r.consumed, 6u);
    EXPECT_EQ(out, (Bytes{0x41, 0x10, 0x42}));
}

TEST(Dle, RoundTripOfRandomDataFedInPieces) {
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        Bytes data(1 + rng() % 600);
        for (auto& b : data) b = (rng() % 4 == 0) ? 0x10 : static_cast<std::uint8_t>(rng());
        const Bytes wire = dle_stuff(data);
        DleDecoder d;
        Bytes out;
        std::size_t pos = 0;
        bool end = false;
        while (pos < wire.size() && !end) {
            const std::size_t piece = std::min<std::size_t>(1 + rng() % 7, wire.size() - pos);
            const auto r = d.feed(wire.data() + pos, piece, out);
            pos += r.consumed;
            end = r.end;
            if (!end) {
                EXPECT_EQ(r.consumed, piece);
            }
        }
        EXPECT_TRUE(end);
        EXPECT_EQ(pos, wire.size());
        EXPECT_EQ(out, data);
    }
}

TEST(Dle, DleSplitAcrossFeedsIsRemembered) {
    DleDecoder d;
    Bytes out;
    const std::uint8_t a[] = {0x55, 0x10};
    const std::uint8_t b[] = {0x03};
    EXPECT_FALSE(d.feed(a, 2, out).end);
    EXPECT_TRUE(d.pending_dle());
    const auto r = d.feed(b, 1, out);
    EXPECT_TRUE(r.end);
    EXPECT_EQ(r.consumed, 1u);
    EXPECT_EQ(out, Bytes{0x55});
}

TEST(Dle, Class20SubStandsForTwoDles) {
    const Bytes wire{0x01, 0x10, 0x1A, 0x02, 0x10, 0x03};
    DleDecoder plain;
    std::vector<std::uint8_t> codes;
    plain.set_code_handler([&](std::uint8_t c) { codes.push_back(c); });
    Bytes out;
    plain.feed(wire.data(), wire.size(), out);
    EXPECT_EQ(out, (Bytes{0x01, 0x02}));  // without the option <DLE><SUB> is a command
    EXPECT_EQ(codes, Bytes{0x1A});

    DleDecoder c20({.sub_is_two_dles = true});
    out.clear();
    c20.feed(wire.data(), wire.size(), out);
    EXPECT_EQ(out, (Bytes{0x01, 0x10, 0x10, 0x02}));
}

TEST(Dle, OtherPairsAreReportedAndSkipped) {
    // Class 2.0 end of page <DLE>',' and Class 1.0 <DLE><EOT> inside data.
    const Bytes wire{0x07, 0x10, ',', 0x08, 0x10, dle::EOT, 0x09, 0x10, 0x03};
    DleDecoder d;
    std::vector<std::uint8_t> codes;
    d.set_code_handler([&](std::uint8_t c) { codes.push_back(c); });
    Bytes out;
    EXPECT_TRUE(d.feed(wire.data(), wire.size(), out).end);
    EXPECT_EQ(out, (Bytes{0x07, 0x08, 0x09}));
    EXPECT_EQ(codes, (Bytes{',', dle::EOT}));
}

TEST(Dle, BugModeKeepsUndoubledDle) {
    // A Class1ModemHasDLEBug modem sends the data DLE of a frame alone, then the
    // real end <DLE><ETX>.
    const Bytes frame{0xFF, 0x13, 0x10, 0xC8, 0x22};
    Bytes wire = frame;  // not stuffed
    wire.push_back(0x10);
    wire.push_back(0x03);
    DleDecoder strict;
    Bytes out;
    EXPECT_TRUE(strict.feed(wire.data(), wire.size(), out).end);
    EXPECT_EQ(out, (Bytes{0xFF, 0x13, 0x22}));  // the DLE pair was taken as a command

    DleDecoder tolerant({.tolerate_undoubled_dle = true});
    out.clear();
    const auto r = tolerant.feed(wire.data(), wire.size(), out);
    EXPECT_TRUE(r.end);
    EXPECT_EQ(r.consumed, wire.size());
    EXPECT_EQ(out, frame);

    // A lone DLE right before a real pair start: 10 10 10 03 -> DLE, end.
    const Bytes tricky{0x10, 0x41, 0x10, 0x10, 0x10, 0x03};
    out.clear();
    DleDecoder t2({.tolerate_undoubled_dle = true});
    EXPECT_TRUE(t2.feed(tricky.data(), tricky.size(), out).end);
    EXPECT_EQ(out, (Bytes{0x10, 0x41, 0x10}));

    // Correctly stuffed data still decodes the same in bug mode.
    const Bytes data{0x10, 0x00, 0x10, 0x10, 0x03};
    const Bytes stuffed = dle_stuff(data);
    out.clear();
    DleDecoder t3({.tolerate_undoubled_dle = true});
    EXPECT_TRUE(t3.feed(stuffed.data(), stuffed.size(), out).end);
    EXPECT_EQ(out, data);
}

}  // namespace
}  // namespace faxemu
