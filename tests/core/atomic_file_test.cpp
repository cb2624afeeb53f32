// core/atomic_file: whole or nothing, never replacing where asked not to, and
// a private mode from the first byte.
#include "core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

int entries(const fs::path& dir) {
    return static_cast<int>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(AtomicFile, ReplacesWholeAndLeavesNoTemporary) {
    TempDir dir;
    const fs::path out = dir.path() / "users.json";
    write_file_atomically(out, bytes("old"));
    write_file_atomically(out, bytes("new content"), 0600);
    EXPECT_EQ(slurp(out), "new content");
    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(entries(dir.path()), 1);
}

TEST(AtomicFile, AFailedWriterLeavesTheOldFileAndNoTemporary) {
    TempDir dir;
    const fs::path out = dir.path() / "fax.tif";
    write_file_atomically(out, bytes("kept"));
    EXPECT_THROW(replace_atomically(out,
                                    [](const fs::path& temp) {
                                        std::ofstream(temp) << "half";
                                        throw FaxError(ErrorCode::Io, "disk full");
                                    }),
                 FaxError);
    EXPECT_EQ(slurp(out), "kept");
    EXPECT_EQ(entries(dir.path()), 1);
}

// The users file holds password hashes: not readable by others even while
// it is being written, whatever the umask.
TEST(AtomicFile, TheModeHoldsFromTheFirstByte) {
    TempDir dir;
    const mode_t old_umask = ::umask(0);
    mode_t seen = 0;
    replace_atomically(
        dir.path() / "secret",
        [&](const fs::path& temp) {
            struct stat st {};
            ASSERT_EQ(::stat(temp.c_str(), &st), 0);
            seen = st.st_mode & 0777;
        },
        0600);
    ::umask(old_umask);
    EXPECT_EQ(seen, 0600u);
}

TEST(AtomicFile, StoreUnderFreeNameNeverReplaces) {
    TempDir dir;
    std::ofstream(dir.path() / "job-7.tif") << "first";
    fs::create_symlink("/nonexistent-target", dir.path() / "job-7-2.tif");
    const Folder folder(dir.path());
    const auto name_for = [](int n) {
        return "job-7" + (n == 1 ? std::string() : "-" + std::to_string(n)) + ".tif";
    };
    const std::string name = store_under_free_name(
        folder.fd(), dir.path(), "job-7", std::nullopt,
        [](AtomicFile& f) { f.write(bytes("second")); }, name_for, 5);
    EXPECT_EQ(name, "job-7-3.tif");
    EXPECT_EQ(slurp(dir.path() / "job-7.tif"), "first");
    EXPECT_TRUE(fs::is_symlink(dir.path() / "job-7-2.tif"));
    EXPECT_EQ(slurp(dir.path() / name), "second");
    EXPECT_EQ(entries(dir.path()), 3);

    EXPECT_THROW(
        store_under_free_name(
            folder.fd(), dir.path(), "job-7", std::nullopt, [](AtomicFile&) {}, name_for, 3),
        FaxError);
    EXPECT_EQ(entries(dir.path()), 3) << "a failed store leaves no temporary file";
}

TEST(AtomicFile, TemporaryNamesSayWhoseTheyAre) {
    TempDir dir;
    const Folder folder(dir.path());
    AtomicFile file(folder.fd(), dir.path(), "fax-9");
    const std::string name = file.temp_path().filename().string();
    EXPECT_EQ(AtomicFile::temporary_owner(name), ::getpid());
    EXPECT_EQ(AtomicFile::temporary_owner(".fax-9.tmp-123-4"), 123);
    EXPECT_EQ(AtomicFile::temporary_owner("fax-9.tmp-123-4"), std::nullopt);
    EXPECT_EQ(AtomicFile::temporary_owner(".fax-9.tmp-12x-4"), std::nullopt);
    EXPECT_EQ(AtomicFile::temporary_owner(".notes.tmp"), std::nullopt);
}

TEST(AtomicFile, ErrorsNameTheFile) {
    TempDir dir;
    try {
        write_file_atomically(dir.path() / "absent" / "fax.tif", bytes("x"));
        ADD_FAILURE() << "written";
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("fax.tif"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace faxemu
