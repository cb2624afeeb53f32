// What every test program shares: fixture paths, a temporary folder per test,
// and the error code of a call that must throw.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace faxemu::test {

// A file under fixtures/, e.g. fixture("documents/letter-fine-mmr.tif").
inline std::filesystem::path fixture(const std::string& relative) {
    return std::filesystem::path(FAXEMU_SOURCE_DIR) / "fixtures" / relative;
}

// A file's bytes (empty when it cannot be read).
inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh folder named after the running test, removed afterwards.
class TempDir {
  public:
    TempDir() {
        static std::atomic<int> serial{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "-" + info->name() : "t";
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        path_ =
            std::filesystem::temp_directory_path() /
            ("faxemu-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// The code of the FaxError that `f` throws; fails the test if it throws nothing.
inline ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const FaxError& e) {
        return e.code();
    }
    throw std::runtime_error("expected a FaxError");
}

}  // namespace faxemu::test
