#include "core/users.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "tests/protocol/rpc_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace faxemu {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

// The message of the FaxError that loading `text` raises.
std::string load_error(const std::string& text) {
    test::TempDir dir;
    const auto path = dir.path() / "users.json";
    write_file(path, text);
    try {
        UsersFile::load(path);
    } catch (const FaxError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter) << e.what();
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "loaded: " << text;
    return "";
}

TEST(Users, VerifiesPasswords) {
    const auto& users = test::test_users();
    const auto alice = users.verify("alice", "alice-pw");
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->name, "alice");
    EXPECT_EQ(alice->role, "admin");
    EXPECT_EQ(alice->rights.mask, access::All);
    EXPECT_FALSE(users.verify("alice", "bob-pw"));
    EXPECT_FALSE(users.verify("alice", ""));
    EXPECT_FALSE(users.verify("mallory", "alice-pw"));
}

TEST(Users, RolesGiveTheirRights) {
    EXPECT_EQ(UsersFile::rights_of("viewer").mask,
              access::JobQuery | access::ConfigQuery | access::PortQuery);
    EXPECT_EQ(UsersFile::rights_of("sender").mask,
              access::JobQuery | access::ConfigQuery | access::PortQuery | access::JobSubmit);
    EXPECT_EQ(UsersFile::rights_of("admin").mask, access::All);
    EXPECT_EQ(test::code_of([] { UsersFile::rights_of("root"); }), ErrorCode::InvalidParameter);
    EXPECT_EQ(test::test_users().find("bob")->rights.mask, CallerRights::viewer().mask);
    EXPECT_EQ(test::test_users().find("carol")->role, "sender");
}

TEST(Users, HashesAreArgon2idAndSalted) {
    const auto a = UsersFile::hash_password("secret");
    const auto b = UsersFile::hash_password("secret");
    EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
    EXPECT_NE(a, b);
    EXPECT_TRUE(UsersFile::verify_hash(a, "secret"));
    EXPECT_FALSE(UsersFile::verify_hash(a, "Secret"));
    EXPECT_FALSE(UsersFile::verify_hash(std::nullopt, "secret"));
}

TEST(Users, SavesAndLoadsBack) {
    test::TempDir dir;
    const auto path = dir.path() / "users.json";
    test::test_users().save(path);
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto loaded = UsersFile::load(path);
    EXPECT_EQ(loaded.size(), 3u);
    EXPECT_EQ(loaded.password_hash("bob"), test::test_users().password_hash("bob"));
    EXPECT_EQ(loaded.find("carol")->role, "sender");
}

TEST(Users, AddReplacesAndRemoveDeletes) {
    UsersFile users;
    const auto hash = test::test_users().password_hash("bob").value();
    users.add_hashed("dave", "viewer", hash);
    users.add_hashed("dave", "admin", hash);
    EXPECT_EQ(users.size(), 1u);
    EXPECT_EQ(users.find("dave")->role, "admin");
    EXPECT_TRUE(users.remove("dave"));
    EXPECT_FALSE(users.remove("dave"));
    EXPECT_TRUE(users.empty());
    EXPECT_EQ(test::code_of([&] { users.add_hashed("erin", "boss", hash); }),
              ErrorCode::InvalidParameter);
    EXPECT_EQ(test::code_of([&] { users.add_hashed("", "admin", hash); }),
              ErrorCode::InvalidParameter);
}

TEST(Users, AFileWithoutUsersIsEmpty) {
    test::TempDir dir;
    const auto path = dir.path() / "users.json";
    write_file(path, "{}");
    EXPECT_TRUE(UsersFile::load(path).empty());
    write_file(path, R"({"users": {}})");
    EXPECT_TRUE(UsersFile::load(path).empty());
}

TEST(Users, LoadErrorsNameTheFileAndTheLineOrField) {
    EXPECT_NE(load_error("{\n  \"users\": {\n    \"a\": }\n}").find("line 3"), std::string::npos);
    const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$abc$def";
    EXPECT_NE(
        load_error(R"({"users": {"ann": {"role": "root", "password_hash": ")" + hash + R"("}}})")
            .find("users.ann.role"),
        std::string::npos);
    EXPECT_NE(
        load_error(R"({"users": {"ann": {"role": "admin"}}})").find("users.ann.password_hash"),
        std::string::npos);
    EXPECT_NE(load_error(R"({"users": {"ann": {"role": "admin", "password_hash": "secret"}}})")
                  .find("not an Argon2 hash"),
              std::string::npos);
    EXPECT_NE(load_error(R"({"users": {"ann": {"role": "admin", "pasword_hash": "x"}}})")
                  .find("users.ann.pasword_hash"),
              std::string::npos);
    EXPECT_NE(load_error(R"({"user": {}})").find("unknown field"), std::string::npos);
    EXPECT_NE(load_error(R"({"users": []})").find("users"), std::string::npos);
    EXPECT_NE(load_error("[]").find("JSON object"), std::string::npos);
}

// Inputs that crashed the fuzz target tests/fuzz/users.cpp: each must be refused
// with an error naming the file, like any other bad file.
TEST(Users, FuzzRegressionsAreRefusedWithAnError) {
    const auto dir = std::filesystem::path(FAXEMU_SOURCE_DIR) / "fixtures/fuzz/regressions/users";
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        SCOPED_TRACE(entry.path().string());
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        EXPECT_NE(load_error(text), "");
    }
}

TEST(Users, AMissingFileIsAnIoError) {
    test::TempDir dir;
    EXPECT_EQ(test::code_of([&] { UsersFile::load(dir.path() / "nope.json"); }), ErrorCode::Io);
}

}  // namespace
}  // namespace faxemu
