// A folder for a conversion's intermediate files, made when the conversion
// starts and removed however it ends.
#pragma once

#include <filesystem>

namespace faxemu {

class TemporaryFolder {
  public:
    // Throws FaxError(Io) naming the folder when it cannot be made.
    explicit TemporaryFolder(std::filesystem::path path);
    ~TemporaryFolder();
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace faxemu
