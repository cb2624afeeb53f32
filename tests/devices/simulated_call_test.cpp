// End-to-end calls between simulated ports: real T.30 through spandsp's audio
// modems on the virtual exchange, every received page compared pixel for pixel.
#include <gtest/gtest.h>

#include <spandsp.h>

#include <tuple>

#include "core/image_compare.hpp"
#include "test_support.hpp"

namespace faxemu {
namespace {

using test::find_call;
using test::fixture;
using test::prepare_send;
using test::TempDir;

struct MatrixCase {
    const char* resolution;  // "std" or "fine"
    Coding coding;           // best coding the receiver accepts
    bool ecm;
    Modulation modulation;
};

std::string coding_name(Coding c) {
    return c == Coding::MH ? "MH" : c == Coding::MR ? "MR" : "MMR";
}
std::string modulation_name(Modulation m) {
    return m == Modulation::V17 ? "V.17" : m == Modulation::V29 ? "V.29" : "V.27ter";
}

void PrintTo(const MatrixCase& c, std::ostream* os) {
    *os << c.resolution << " " << coding_name(c.coding) << (c.ecm ? " ECM " : " no ECM ")
        << modulation_name(c.modulation);
}

class SimulatedCallMatrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(SimulatedCallMatrix, DeliversPixelIdentical) {
    const MatrixCase& mc = GetParam();
    TempDir tmp;
    SimulatedSite site(tmp.path());
    int codings = static_cast<int>(Coding::MH);
    if (mc.coding != Coding::MH) codings |= static_cast<int>(Coding::MR);
    if (mc.coding == Coding::MMR) codings |= static_cast<int>(Coding::MMR);
    for (int i = 0; i < 2; ++i) {
        SessionConfig& o = site.bank.controller(site.port(i).DeviceId()).session_options();
        o.ecm = mc.ecm;
        o.modulations = static_cast<int>(mc.modulation);
    }
    site.bank.controller(site.port(1).DeviceId()).session_options().codings = codings;
    site.port(1).put_Send(CallerRights::admin(), false);

    SendRequest req =
        prepare_send(fixture(std::string("documents/short-") + mc.resolution + "-mmr.tif"),
                     tmp.path(), SimulatedSite::number(1));
    EXPECT_EQ(site.queue.send(req), site.port(0).DeviceId());
    ASSERT_TRUE(site.run_until_idle());

    const CallRecord* out = find_call(site, true);
    const CallRecord* in = find_call(site, false);
    ASSERT_NE(out, nullptr);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(out->outcome.ok()) << out->outcome.cause_text;
    EXPECT_TRUE(in->outcome.ok()) << in->outcome.cause_text;
    EXPECT_EQ(out->outcome.t30_cause, T30_ERR_OK);
    EXPECT_EQ(out->pages, req.page_count);
    EXPECT_EQ(in->pages, req.page_count);
    // The session is what was asked for: MMR needs ECM, so without it MR is best.
    const std::string expected_coding =
        (mc.coding == Coding::MMR && !mc.ecm) ? "MR" : coding_name(mc.coding);
    EXPECT_EQ(in->session.modulation, modulation_name(mc.modulation));
    EXPECT_EQ(in->session.compression, expected_coding);
    EXPECT_EQ(in->session.ecm, mc.ecm);
    EXPECT_EQ(in->session.resolution, std::string(mc.resolution) == "std" ? "standard" : "fine");
    EXPECT_EQ(in->remote_ident, site.port(0).Tsid());
    EXPECT_EQ(out->remote_ident, site.port(1).Csid());
    ImageComparison cmp = compare_fax_images(req.document, in->file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

std::vector<MatrixCase> all_cases() {
    std::vector<MatrixCase> v;
    for (const char* res : {"std", "fine"})
        for (Coding c : {Coding::MH, Coding::MR, Coding::MMR})
            for (bool ecm : {false, true})
                for (Modulation m : {Modulation::V17, Modulation::V29, Modulation::V27ter})
                    v.push_back({res, c, ecm, m});
    return v;
}

INSTANTIATE_TEST_SUITE_P(AllSessions, SimulatedCallMatrix, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<MatrixCase>& info) {
                             const MatrixCase& c = info.param;
                             std::string m = modulation_name(c.modulation);
                             std::erase(m, '.');
                             return std::string(c.resolution) + "_" + coding_name(c.coding) +
                                    (c.ecm ? "_ECM_" : "_noECM_") + m;
                         });

// Documents stored in each coding, several pages, sent with the defaults.
class SimulatedCallDocuments : public ::testing::TestWithParam<const char*> {};

TEST_P(SimulatedCallDocuments, MultiPageDocumentArrivesIdentical) {
    TempDir tmp;
    SimulatedSite site(tmp.path());
    site.port(1).put_Send(CallerRights::admin(), false);
    SendRequest req = prepare_send(fixture(std::string("documents/") + GetParam()), tmp.path(),
                                   SimulatedSite::number(1));
    site.queue.send(req);
    ASSERT_TRUE(site.run_until_idle());
    const CallRecord* in = find_call(site, false);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(in->outcome.ok()) << in->outcome.cause_text;
    EXPECT_EQ(in->pages, req.page_count);
    ImageComparison cmp = compare_fax_images(req.document, in->file);
    EXPECT_TRUE(cmp.equal) << cmp.detail;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SimulatedCallDocuments,
                         ::testing::Values("letter-fine-mh.tif", "letter-fine-mr.tif",
                                           "letter-std-mmr.tif", "mixed-res.tif",
                                           "letter-gs-tiffg4.tif"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                             std::string n = info.param;
                             n = n.substr(0, n.find('.'));
                             std::erase(n, '-');
                             return n;
                         });

}  // namespace
}  // namespace faxemu
