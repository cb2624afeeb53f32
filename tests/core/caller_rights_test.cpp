#include "core/caller_rights.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace faxemu {
namespace {

TEST(CallerRightsTest, AdminHasEveryRight) {
    const auto admin = CallerRights::admin();
    for (auto right : {access::JobSubmit, access::JobQuery, access::ConfigQuery, access::ConfigSet,
                       access::PortQuery, access::PortSet, access::JobManage})
        EXPECT_TRUE(admin.has(right)) << right;
}

TEST(CallerRightsTest, ViewerHasQueryRightsOnly) {
    const auto viewer = CallerRights::viewer();
    EXPECT_TRUE(viewer.has(access::JobQuery));
    EXPECT_TRUE(viewer.has(access::ConfigQuery));
    EXPECT_TRUE(viewer.has(access::PortQuery));
    EXPECT_FALSE(viewer.has(access::JobSubmit));
    EXPECT_FALSE(viewer.has(access::ConfigSet));
    EXPECT_FALSE(viewer.has(access::PortSet));
    EXPECT_FALSE(viewer.has(access::JobManage));
}

TEST(CallerRightsTest, SenderIsViewerPlusSubmit) {
    const auto sender = CallerRights::sender();
    EXPECT_EQ(sender.mask, CallerRights::viewer().mask | access::JobSubmit);
    EXPECT_TRUE(sender.has(access::JobSubmit));
    EXPECT_FALSE(sender.has(access::PortSet));
    EXPECT_FALSE(sender.has(access::JobManage));
}

TEST(CallerRightsTest, CombinedRightNeedsEveryBit) {
    const CallerRights caller{access::PortQuery};
    EXPECT_TRUE(caller.has(access::PortQuery));
    EXPECT_FALSE(caller.has(access::PortQuery | access::PortSet));
    EXPECT_FALSE(CallerRights{}.has(access::JobQuery));
}

TEST(CallerRightsTest, RequirePassesWhenGranted) {
    EXPECT_NO_THROW(require(CallerRights::admin(), access::PortSet, "setting Rings"));
    EXPECT_NO_THROW(require(CallerRights::sender(), access::JobSubmit, "sending"));
}

TEST(CallerRightsTest, RequireThrowsAccessDeniedNamingWhatAndRight) {
    try {
        require(CallerRights::viewer(), access::PortSet, "setting Rings on port Modem1");
        FAIL() << "no exception";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::AccessDenied);
        EXPECT_STREQ(e.what(), "access denied: setting Rings on port Modem1 needs FAX_PORT_SET");
    }
}

TEST(CallerRightsTest, RightNamesJoinsBits) {
    EXPECT_EQ(right_names(access::ConfigSet), "FAX_CONFIG_SET");
    EXPECT_EQ(right_names(access::JobSubmit | access::JobManage), "FAX_JOB_SUBMIT|FAX_JOB_MANAGE");
    EXPECT_EQ(right_names(0), "");
}

}  // namespace
}  // namespace faxemu
