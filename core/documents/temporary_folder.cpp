#include "core/documents/temporary_folder.hpp"

#include "core/error.hpp"

namespace faxemu {

TemporaryFolder::TemporaryFolder(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    if (ec) throw FaxError(ErrorCode::Io, path_.string() + ": cannot create: " + ec.message());
}

TemporaryFolder::~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace faxemu
