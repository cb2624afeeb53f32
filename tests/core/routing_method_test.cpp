#include "core/routing_method.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/error.hpp"
#include "core/refusal.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

using namespace std::string_literals;

const RoutingMethodInfo& info(std::string_view guid) {
    const auto* m = find_routing_method(guid);
    if (m == nullptr) throw std::runtime_error("no method " + std::string(guid));
    return *m;
}

using test::code_of;

TEST(RoutingMethodTest, StandardGuidsAreExact) {
    EXPECT_EQ(kPrintRoutingGuid, "{aec1b37c-9af2-11d0-abf7-00c04fd91a4e}");
    EXPECT_EQ(kFolderRoutingGuid, "{92041a90-9af2-11d0-abf7-00c04fd91a4e}");
    EXPECT_EQ(kEmailRoutingGuid, "{6bbf7bfe-9af2-11d0-abf7-00c04fd91a4e}");
    EXPECT_EQ(kRunProgramRoutingGuid, "{41e2186d-d53b-41f5-a1fa-f96789e7fac2}");
    EXPECT_EQ(info(kPrintRoutingGuid).kind, RoutingKind::Print);
    EXPECT_EQ(info(kFolderRoutingGuid).kind, RoutingKind::Folder);
    EXPECT_EQ(info(kEmailRoutingGuid).kind, RoutingKind::Email);
    EXPECT_EQ(info(kRunProgramRoutingGuid).kind, RoutingKind::RunProgram);
}

TEST(RoutingMethodTest, StandardMethodsAreDistinctAndNamed) {
    const auto methods = standard_routing_methods();
    ASSERT_EQ(methods.size(), 4u);
    std::set<std::string_view> guids;
    for (const auto& m : methods) {
        guids.insert(m.guid);
        EXPECT_FALSE(m.friendly_name.empty());
        EXPECT_FALSE(m.function_name.empty());
        EXPECT_FALSE(m.image_name.empty());
        EXPECT_FALSE(m.extension_name.empty());
        EXPECT_EQ(find_routing_method(m.guid), &m);
    }
    EXPECT_EQ(guids.size(), 4u);
}

// People type the short name; the GUID stays the key stored and sent.
TEST(RoutingMethodTest, FindTakesTheShortNameToo) {
    EXPECT_EQ(find_routing_method("email"), find_routing_method(kEmailRoutingGuid));
    EXPECT_EQ(find_routing_method("folder"), find_routing_method(kFolderRoutingGuid));
    EXPECT_EQ(find_routing_method("Print"), find_routing_method(kPrintRoutingGuid));
    EXPECT_EQ(find_routing_method("program"), find_routing_method(kRunProgramRoutingGuid));
    EXPECT_EQ(info("email").short_name, "email");
    EXPECT_EQ(find_routing_method("mail"), nullptr);
    EXPECT_EQ(find_routing_method(""), nullptr);
}

TEST(RoutingMethodTest, FindIsCaseInsensitiveAndNeedsBraces) {
    EXPECT_EQ(find_routing_method("{AEC1B37C-9AF2-11D0-ABF7-00C04FD91A4E}"),
              find_routing_method(kPrintRoutingGuid));
    EXPECT_NE(find_routing_method("{Aec1b37c-9AF2-11d0-abf7-00C04fd91a4e}"), nullptr);
    EXPECT_EQ(find_routing_method("aec1b37c-9af2-11d0-abf7-00c04fd91a4e"), nullptr);
    EXPECT_EQ(find_routing_method("{aec1b37c-9af2-11d0-abf7-00c04fd91a4e"), nullptr);
    EXPECT_EQ(find_routing_method("aec1b37c-9af2-11d0-abf7-00c04fd91a4e}"), nullptr);
    EXPECT_EQ(find_routing_method("(aec1b37c-9af2-11d0-abf7-00c04fd91a4e)"), nullptr);
    EXPECT_EQ(find_routing_method("{aec1b37c-9af2-11d0-abf7-00c04fd91a4f}"), nullptr);
    // Inbox (MAPI) is a Windows 2000 method faxemu does not offer.
    EXPECT_EQ(find_routing_method("{9d3d0c32-9af2-11d0-abf7-00c04fd91a4e}"), nullptr);
    EXPECT_EQ(find_routing_method(""), nullptr);
}

class RoutingMethodFixture : public ::testing::Test {
  protected:
    int changes = 0;
    RoutingMethod folder{info(kFolderRoutingGuid), 3, "Modem1", [this] { ++changes; }};
    RoutingMethod email{info(kEmailRoutingGuid), 3, "Modem1", [this] { ++changes; }};
    RoutingMethod print{info(kPrintRoutingGuid), 3, "Modem1", [this] { ++changes; }};
    const ProgramAllowList allowed{{"/srv/fax/hook"}};
    RoutingMethod program{info(kRunProgramRoutingGuid), 3, "Modem1", [this] { ++changes; },
                          &allowed};
    RoutingMethod unlisted{info(kRunProgramRoutingGuid), 3, "Modem1"};
    const CallerRights admin = CallerRights::admin();

    bool accepts(RoutingMethod& m, const std::string& data) {
        try {
            m.put_RoutingData(admin, data);
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter) << data;
            return false;
        }
        return m.RoutingData() == data;
    }
};

using RoutingMethodInstanceTest = RoutingMethodFixture;

TEST_F(RoutingMethodInstanceTest, DescribesItsPortAndMethod) {
    EXPECT_EQ(folder.DeviceId(), 3);
    EXPECT_EQ(folder.DeviceName(), "Modem1");
    EXPECT_EQ(folder.Guid(), kFolderRoutingGuid);
    EXPECT_EQ(folder.FriendlyName(), info(kFolderRoutingGuid).friendly_name);
    EXPECT_EQ(folder.FunctionName(), info(kFolderRoutingGuid).function_name);
    EXPECT_EQ(folder.ImageName(), info(kFolderRoutingGuid).image_name);
    EXPECT_EQ(folder.ExtensionName(), info(kFolderRoutingGuid).extension_name);
    EXPECT_FALSE(folder.Enable());
    EXPECT_EQ(folder.RoutingData(), "");
}

TEST_F(RoutingMethodInstanceTest, CannotEnableWithoutRoutingData) {
    try {
        folder.put_Enable(admin, true);
        FAIL() << "enabled without data";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_EQ(std::string(e.what()).rfind("Store in a folder on port Modem1: ", 0), 0u)
            << e.what();
    }
    EXPECT_FALSE(folder.Enable());
    EXPECT_EQ(changes, 0);
}

TEST_F(RoutingMethodInstanceTest, EnableAfterDataAndClearOnlyWhenDisabled) {
    folder.put_RoutingData(admin, "/var/spool/faxemu/in");
    folder.put_Enable(admin, true);
    EXPECT_TRUE(folder.Enable());
    EXPECT_EQ(code_of([&] { folder.put_RoutingData(admin, ""); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(folder.RoutingData(), "/var/spool/faxemu/in");
    folder.put_Enable(admin, false);
    folder.put_RoutingData(admin, "");
    EXPECT_EQ(folder.RoutingData(), "");
    EXPECT_EQ(changes, 4);
}

TEST_F(RoutingMethodInstanceTest, ChangeCallbackOnlyOnRealChange) {
    folder.put_RoutingData(admin, "/srv/fax");
    folder.put_RoutingData(admin, "/srv/fax");
    folder.put_Enable(admin, false);
    EXPECT_EQ(changes, 1);
    EXPECT_FALSE(accepts(folder, "relative"));
    EXPECT_EQ(changes, 1);
}

TEST_F(RoutingMethodInstanceTest, ViewerIsDeniedAndNothingChanges) {
    folder.put_RoutingData(admin, "/srv/fax");
    for (const auto& rights : {CallerRights::viewer(), CallerRights::sender()}) {
        EXPECT_EQ(code_of([&] { folder.put_Enable(rights, true); }), ErrorCode::AccessDenied);
        EXPECT_EQ(code_of([&] { folder.put_RoutingData(rights, "/tmp"); }),
                  ErrorCode::AccessDenied);
    }
    EXPECT_FALSE(folder.Enable());
    EXPECT_EQ(folder.RoutingData(), "/srv/fax");
    EXPECT_EQ(changes, 1);
}

TEST_F(RoutingMethodInstanceTest, AccessIsCheckedBeforeValidation) {
    // An invalid value from a caller without rights is an access error.
    EXPECT_EQ(code_of([&] { folder.put_RoutingData(CallerRights::viewer(), "relative"); }),
              ErrorCode::AccessDenied);
}

TEST_F(RoutingMethodInstanceTest, FolderRules) {
    EXPECT_TRUE(accepts(folder, "/var/spool/faxemu/in"));
    EXPECT_TRUE(accepts(folder, "/path with spaces/Faxes"));
    // Issue 15: a Windows folder names nothing on a Linux faxd, and was once
    // created literally ("C:\Faxes\In" in faxd's working directory).
    EXPECT_FALSE(accepts(folder, "C:\\Faxes\\In"));
    EXPECT_FALSE(accepts(folder, "d:/faxes"));
    EXPECT_FALSE(accepts(folder, "\\\\server\\share\\faxes"));
    EXPECT_FALSE(accepts(folder, "faxes/in"));
    EXPECT_FALSE(accepts(folder, "-rf"));
    EXPECT_FALSE(accepts(folder, "C:"));
    EXPECT_FALSE(accepts(folder, "/srv/fax\0x"s));
    EXPECT_FALSE(accepts(folder, "/srv/fax\nrm -rf /"));
    EXPECT_TRUE(accepts(folder, "/" + std::string(4094, 'a')));
    EXPECT_FALSE(accepts(folder, "/" + std::string(4095, 'a')));
}

// A Windows folder the drive map holds is stored as the local folder.
TEST_F(RoutingMethodInstanceTest, AWindowsFolderIsMappedOrRefused) {
    const DriveMap drives(std::vector<DriveMapping>{{"C:\\faxes", "/srv/fax"}});
    RoutingMethod mapped{info(kFolderRoutingGuid), 3, "Modem1", {}, nullptr, &drives};
    mapped.put_RoutingData(admin, "c:\\Faxes\\In;format=pdf");
    EXPECT_EQ(mapped.RoutingData(), "/srv/fax/In;format=pdf");
    try {
        mapped.put_RoutingData(admin, "D:\\faxes");
        ADD_FAILURE() << "accepted";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("\"D:\\faxes\" is a Windows path"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("drive_map"), std::string::npos) << e.what();
        // A Refusal: the shim's own HRESULT
        const auto* refusal = dynamic_cast<const Refusal*>(&e);
        ASSERT_NE(refusal, nullptr);
        EXPECT_STREQ(refusal->reason(), reason::kWindowsPath);
    }
    EXPECT_EQ(mapped.RoutingData(), "/srv/fax/In;format=pdf");
    EXPECT_FALSE(accepts(mapped, "faxes\\in"));  // relative, Windows or not
    EXPECT_FALSE(accepts(mapped, "faxes/in"));
}

TEST_F(RoutingMethodInstanceTest, FolderAndEmailTakeAFormat) {
    EXPECT_TRUE(accepts(folder, "/srv/faxes;format=pdf"));
    EXPECT_TRUE(accepts(folder, "/srv/faxes;format=TIFF"));
    EXPECT_TRUE(accepts(email, "ops@example.com;format=tiff"));
    EXPECT_TRUE(accepts(email, "ops@example.com;format=pdf"));
    // PNG is one page; a fax has many.
    EXPECT_FALSE(accepts(folder, "/srv/faxes;format=png"));
    EXPECT_FALSE(accepts(email, "ops@example.com;format=gif"));
    EXPECT_FALSE(accepts(folder, ";format=pdf"));
    EXPECT_FALSE(accepts(folder, "faxes;format=pdf"));  // the folder's own rules still hold
    EXPECT_FALSE(accepts(print, "office;format=pdf"));
}

TEST_F(RoutingMethodInstanceTest, EmailRules) {
    EXPECT_TRUE(accepts(email, "ops@example.com"));
    EXPECT_TRUE(accepts(email, "first.last+fax@mail.example.co.uk"));
    EXPECT_TRUE(accepts(email, "fax_in-1@x-y.example"));
    for (const char* bad : {"no-at-sign",
                            "a@b@example.com",
                            "a@localhost",
                            "@example.com",
                            "a@",
                            "a b@example.com",
                            "a@example..com",
                            ".a@example.com",
                            "a.@example.com",
                            "a..b@example.com",
                            "a@-example.com",
                            "a@example-.com",
                            "-oProxyCommand=x@example.com",
                            "`id`@example.com",
                            "$(reboot)@example.com",
                            "a;rm -rf ~@example.com",
                            "a|mail@example.com",
                            "a&b@example.com",
                            "a'b@example.com",
                            "a\"b@example.com",
                            "a@example.com>/etc/passwd",
                            "a@example.com\r\nBcc: x@evil.example"}) {
        EXPECT_FALSE(accepts(email, bad)) << bad;
    }
    EXPECT_TRUE(accepts(email, std::string(64, 'a') + "@example.com"));
    EXPECT_FALSE(accepts(email, std::string(65, 'a') + "@example.com"));
}

TEST_F(RoutingMethodInstanceTest, PrinterRules) {
    EXPECT_TRUE(accepts(print, "HP_LaserJet-4"));
    EXPECT_TRUE(accepts(print, "office@printhost.example:631"));
    EXPECT_TRUE(accepts(print, std::string(127, 'p')));
    EXPECT_FALSE(accepts(print, std::string(128, 'p')));
    for (const char* bad :
         {"lp; rm -rf /", "$(id)", "`id`", "a|b", "a&b", "a>b", "a<b", "-dother", "name with space",
          "a'b", "a\"b", "a\\b", "a/b", "a*", "a?", "a~", "a#b", "a\tb", "a\nb"}) {
        EXPECT_FALSE(accepts(print, bad)) << bad;
    }
    EXPECT_FALSE(accepts(print, "lp\0-dother"s));
}

TEST_F(RoutingMethodInstanceTest, RunProgramRules) {
    // The runner splits the string into argv without a shell, so shell syntax is
    // just text here; NUL, control characters, the length and a program that is
    // not on the allow-list are refused.
    EXPECT_TRUE(accepts(program, "/srv/fax/hook --to /srv/fax --notify ops"));
    EXPECT_TRUE(accepts(program, "  /srv/fax/hook a; b $(c)"));
    EXPECT_TRUE(accepts(program, "/srv/fax/../fax/hook"));  // the same program, canonically
    EXPECT_FALSE(accepts(program, "/srv/fax/hook --to\0/etc"s));
    EXPECT_FALSE(accepts(program, "/srv/fax/hook --to\n/etc"));
    const std::string hook = "/srv/fax/hook ";
    EXPECT_TRUE(accepts(program, hook + std::string(4096 - hook.size(), 'x')));
    EXPECT_FALSE(accepts(program, hook + std::string(4097 - hook.size(), 'x')));
    for (const char* other : {"/srv/fax/hook2", "/bin/sh -c /srv/fax/hook", "hook", "../fax/hook",
                              "--to /srv/fax/hook", " "})
        EXPECT_FALSE(accepts(program, other)) << other;
}

TEST_F(RoutingMethodInstanceTest, RunProgramRefusesEveryProgramWithoutAnAllowList) {
    for (const char* data : {"/bin/sh -c id", "/usr/bin/env", "sh", "--to /srv/fax"}) {
        try {
            unlisted.put_RoutingData(admin, data);
            ADD_FAILURE() << "accepted " << data;
        } catch (const FaxError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
            const std::string name = std::string(data).substr(0, std::string(data).find(' '));
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("routing.allowed_programs"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_EQ(unlisted.RoutingData(), "");
}

TEST_F(RoutingMethodInstanceTest, ErrorNamesMethodAndPort) {
    try {
        email.put_RoutingData(admin, "not an address");
        FAIL() << "accepted";
    } catch (const FaxError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("Send by e-mail on port Modem1: ", 0), 0u)
            << e.what();
    }
}

}  // namespace
}  // namespace faxemu
