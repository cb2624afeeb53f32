// Run-program routing runs only what faxd's configuration allows
// ([routing] allowed_programs): an admin over the network cannot name any
// other command.
#include <gtest/gtest.h>

#include <fstream>

#include "core/protocol/error_codes.hpp"
#include "core/routing_method.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;

json run_program(rpc::FaxClient& admin, const std::string& data) {
    return admin.call("routing.set", {{"device_id", 2},
                                      {"guid", std::string(kRunProgramRoutingGuid)},
                                      {"data", data},
                                      {"enable", true}});
}

TEST(FaxdRoutingPrograms, NoProgramMayBeSetByDefault) {
    FaxdHarness faxd;
    auto admin = faxd.client("admin");
    for (const std::string& data :
         {std::string("/bin/sh -c id"), std::string("/usr/bin/env"), std::string("sh -c id")}) {
        try {
            run_program(*admin, data);
            ADD_FAILURE() << "accepted " << data;
        } catch (const rpc::RpcError& e) {
            EXPECT_EQ(e.code(), rpc::kInvalidValue) << e.what();
            const std::string program = data.substr(0, data.find(' '));
            EXPECT_NE(std::string(e.what()).find(program), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("allowed_programs"), std::string::npos)
                << e.what();
        }
    }
    const json methods = admin->call("routing.list", {{"device_id", 2}});
    for (const json& m : methods) {
        if (m["guid"] != std::string(kRunProgramRoutingGuid)) continue;
        EXPECT_EQ(m["data"], "");
        EXPECT_FALSE(m["enable"]);
    }
}

TEST(FaxdRoutingPrograms, AnAllowedProgramRunsAndOnlyIt) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.routing.allowed_programs = {(c.spool.parent_path() / "bin" / "fax-to-erp").string()};
    });
    const auto bin = faxd.tmp.path() / "bin";
    const auto ran = faxd.tmp.path() / "ran";
    std::filesystem::create_directories(bin);
    std::ofstream(bin / "fax-to-erp") << "#!/bin/sh\necho \"$1 $2\" >> " << ran.string() << "\n";
    std::filesystem::permissions(bin / "fax-to-erp", std::filesystem::perms::owner_all);
    auto admin = faxd.client("admin");
    EXPECT_NE(test::rpc_code_of([&] { run_program(*admin, "/bin/sh -c id"); }), 0);
    // The same program by another spelling is the same program.
    run_program(*admin, (bin / ".." / "bin" / "fax-to-erp").string() + " --erp");
    test::submit_short_fax(*admin);
    const json fax = test::wait_for_received(
        *admin, [](const json& f) { return f["routing"][0]["done"] == true; });
    ASSERT_FALSE(fax.is_null());
    std::ifstream in(ran);
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line.rfind("--erp ", 0), 0u) << line;
}

TEST(FaxdRoutingPrograms, ASavedProgramNoLongerAllowedIsNotApplied) {
    FaxdHarness faxd([](faxd::Config& c) {
        c.routing.allowed_programs = {(c.spool.parent_path() / "hook").string()};
    });
    const auto hook = faxd.tmp.path() / "hook";
    std::ofstream(hook) << "#!/bin/sh\nexit 0\n";
    std::filesystem::permissions(hook, std::filesystem::perms::owner_all);
    run_program(*faxd.client("admin"), hook.string());
    faxd.stop();
    faxd.config.routing.allowed_programs.clear();
    faxd.start();
    for (const json& m : faxd.client("viewer")->call("routing.list", {{"device_id", 2}})) {
        if (m["guid"] != std::string(kRunProgramRoutingGuid)) continue;
        EXPECT_EQ(m["data"], "");
        EXPECT_FALSE(m["enable"]);
    }
}

}  // namespace
}  // namespace faxemu
