// The faxes faxd keeps are private papers: received and archived faxes, stored
// documents and folder copies are 0640, spool directories 0750, set explicitly
// whatever umask faxd was started with.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/routing_method.hpp"
#include "faxd_harness.hpp"

namespace faxemu {
namespace {

using test::FaxdHarness;
using test::json;

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return 0xffff;
    return st.st_mode & 07777;
}

// The most permissive umask while a test runs: modes must be set, not inherited.
class OpenUmask {
  public:
    OpenUmask() : old_(::umask(0)) {}
    ~OpenUmask() { ::umask(old_); }
    OpenUmask(const OpenUmask&) = delete;
    OpenUmask& operator=(const OpenUmask&) = delete;

  private:
    mode_t old_;
};

// Sends a fax from port 1 to port 2, which stores it in `inbox`; the sent
// fax is archived in `archive` (created by faxd). Returns when all is done.
void send_archive_and_route(FaxdHarness& faxd, const std::filesystem::path& inbox,
                            const std::filesystem::path& archive) {
    auto admin = faxd.client("admin");
    admin->call("routing.set", {{"device_id", 2},
                                {"guid", std::string(kFolderRoutingGuid)},
                                {"data", inbox.string()},
                                {"enable", true}});
    admin->call("server.set",
                {{"archive_outbound_faxes", true}, {"archive_directory", archive.string()}});
    const std::int64_t id = admin->call(
        "job.submit", {{"number", "5551002"},
                       {"document", test::document_base64(
                                        test::fixture("documents/short-std-mmr.tif"))}})["job_id"];
    ASSERT_TRUE(test::wait_for(*admin, [&] {
        json faxes = admin->call("received.list");
        return admin->call("job.get", {{"job_id", id}})["state"] ==
                   to_string(JobState::Completed) &&
               std::filesystem::exists(archive / ("job-" + std::to_string(id) + ".tif")) &&
               faxes.size() == 1 && !faxes[0]["routing"].empty() &&
               faxes[0]["routing"][0]["done"] == true;
    }));
}

// Every regular file below `dir` (one level) with its mode.
std::vector<std::pair<std::filesystem::path, unsigned>> files_in(const std::filesystem::path& dir) {
    std::vector<std::pair<std::filesystem::path, unsigned>> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file()) out.emplace_back(e.path(), mode_of(e.path()));
    return out;
}

TEST(FaxdFileModes, FaxesAreNotWorldReadableWhateverTheUmask) {
    OpenUmask open_umask;
    FaxdHarness faxd;
    const auto inbox = faxd.tmp.path() / "inbox";
    std::filesystem::create_directories(inbox);
    const auto archive = faxd.tmp.path() / "archive" / "sent";
    send_archive_and_route(faxd, inbox, archive);

    const auto spool = faxd.config.spool;
    for (const auto& dir : {spool, spool / "documents", spool / "received", spool / "tmp",
                            archive.parent_path(), archive})
        EXPECT_EQ(mode_of(dir), 0750u) << dir;
    for (const auto& dir : {spool / "documents", spool / "received", archive, inbox}) {
        const auto files = files_in(dir);
        EXPECT_FALSE(files.empty()) << dir;
        for (const auto& [file, mode] : files) EXPECT_EQ(mode, 0640u) << file;
    }
    EXPECT_EQ(mode_of(spool / "faxd.db"), 0640u);
}

TEST(FaxdFileModes, ModesFollowTheConfiguration) {
    OpenUmask open_umask;
    FaxdHarness faxd([](faxd::Config& c) { c.modes = {0600, 0700}; });
    const auto inbox = faxd.tmp.path() / "inbox";
    std::filesystem::create_directories(inbox);
    const auto archive = faxd.tmp.path() / "archive";
    send_archive_and_route(faxd, inbox, archive);
    for (const auto& dir : {faxd.config.spool, faxd.config.spool / "received", archive})
        EXPECT_EQ(mode_of(dir), 0700u) << dir;
    for (const auto& dir :
         {faxd.config.spool / "documents", faxd.config.spool / "received", archive, inbox})
        for (const auto& [file, mode] : files_in(dir)) EXPECT_EQ(mode, 0600u) << file;
}

TEST(FaxdFileModes, AnOlderSpoolIsTightenedAtStart) {
    test::TempDir older;
    const auto spool = older.path() / "spool";
    for (const char* sub : {"", "documents", "received", "tmp"}) {
        std::filesystem::create_directories(spool / sub);
        ::chmod((spool / sub).c_str(), 0755);
    }
    FaxdHarness faxd([&](faxd::Config& c) { c.spool = spool; });
    for (const char* sub : {"", "documents", "received", "tmp"})
        EXPECT_EQ(mode_of(spool / sub), 0750u) << sub;
}

}  // namespace
}  // namespace faxemu
