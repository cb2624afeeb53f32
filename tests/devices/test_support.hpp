// Shared by the devices tests: a temporary spool and a prepared document.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/document.hpp"
#include "devices/simulated_site.hpp"

namespace faxemu::test {

inline std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(FAXEMU_SOURCE_DIR) / "fixtures" / "documents" / name;
}

// A spool directory of the test's own, removed afterwards.
class TempDir {
  public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "-" + info->name() : "t";
        for (char& c : name)
            if (c == '/') c = '_';
        path_ = std::filesystem::temp_directory_path() /
                ("faxemu-" + name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Makes the fixture fax-shaped in the spool and fills a SendRequest for it.
inline SendRequest prepare_send(const std::filesystem::path& source,
                                const std::filesystem::path& spool, const std::string& to) {
    Document doc = Document::open(source);
    std::filesystem::create_directories(spool / "outgoing");
    SendRequest r;
    r.document = spool / "outgoing" / source.filename();
    doc.write_fax_tiff(r.document);
    r.number = to;
    r.document_name = source.filename().string();
    r.document_size = static_cast<std::int64_t>(std::filesystem::file_size(r.document));
    r.page_count = static_cast<int>(doc.page_count());
    return r;
}

}  // namespace faxemu::test
