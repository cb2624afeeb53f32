// Branding on a Class 2 modem, where the modem runs T.30 and the host only
// feeds page data: a document with page headers stamped in (as faxd sends it
// with Branding on) arrives with the header band inked and every row below it
// as sent.
#include <gtest/gtest.h>

#include "class2_rig.hpp"
#include "core/documents/page_header.hpp"
#include "core/image_compare.hpp"

namespace faxemu {
namespace {

using test::Class2Rig;
using test::TempDir;

TEST(Class2Branding, StampedPagesArriveWithTheirHeader) {
    TempDir tmp;
    Class2Rig rig;
    ASSERT_TRUE(rig.bring_up());
    ASSERT_EQ(rig.device->status(), Class2State::Ready) << rig.device->unavailable_reason();
    const auto source = test::fax_document("short-std-mmr.tif", tmp.path());
    const auto branded = tmp.path() / "branded.tif";
    write_branded_copy(source, branded, {rig.clock.now(), "CLASS2 TSID", "Alice"}, 1);
    const auto received = tmp.path() / "far-received.tif";
    rig.far_host.answer_with(InboundCall{received, test::session("FAR CSID")});
    OutboundCall call;
    call.number = test::kFarNumber;
    call.document = branded;
    call.session = test::session("CLASS2 TSID");
    rig.device->dial(call);
    ASSERT_TRUE(rig.run_until_idle()) << rig.trace_text();
    ASSERT_TRUE(rig.host.outcome);
    EXPECT_TRUE(rig.host.outcome->ok()) << rig.host.outcome->cause_text;
    const ImageComparison cmp = compare_fax_images_below_band(source, received, kPageHeaderBandMm);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
    EXPECT_TRUE(compare_fax_images(branded, received).equal);
}

}  // namespace
}  // namespace faxemu
