#include "tools/faxd/received_exports.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "core/client_text.hpp"
#include "core/documents/fax_export.hpp"
#include "core/error.hpp"

namespace faxemu::faxd {

namespace fs = std::filesystem;

namespace {

std::string export_name(const ReceivedFax& fax, FaxFileFormat format, std::int32_t page,
                        std::optional<std::uint32_t> thumbnail_width) {
    std::string name = "fax-" + std::to_string(fax.id);
    if (format == FaxFileFormat::Png) name += "-page-" + std::to_string(page);
    if (format == FaxFileFormat::Png && thumbnail_width)
        name += "-thumb-" + std::to_string(*thumbnail_width);
    return name + std::string(file_extension(format));
}

}  // namespace

ReceivedExports::ReceivedExports(fs::path dir, WorkerPool& workers, asio::io_context& io,
                                 FileModes modes)
    : dir_(std::move(dir)), workers_(workers), io_(io), modes_(modes) {
    make_directories(dir_, modes_.dir);
    // What an earlier faxd left (finished or half written) is only a cache.
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir_, ignored))
        fs::remove_all(entry.path(), ignored);
}

std::optional<fs::path> ReceivedExports::file(const ReceivedFax& fax, FaxFileFormat format,
                                              std::int32_t page,
                                              std::optional<std::uint32_t> thumbnail_width) {
    const std::string name = export_name(fax, format, page, thumbnail_width);
    if (auto it = work_.find(name); it != work_.end()) {
        if (!it->second) return std::nullopt;  // still converting
        const Failure failure = *it->second;
        work_.erase(it);
        throw FaxError(failure.code, failure.message);
    }
    const fs::path out = dir_ / name;
    std::error_code error;
    if (fs::exists(out, error)) {
        // Used: housekeeping keeps it a while longer.
        fs::last_write_time(out, fs::file_time_type::clock::now(), error);
        return out;
    }
    work_.emplace(name, std::nullopt);
    const std::string tiff = fax.file;
    const std::int64_t id = fax.id;
    const mode_t mode = modes_.file;
    workers_.post(
        [this, tiff, id, format, page, out, name, mode, thumbnail_width](std::stop_token) {
            std::optional<Failure> failure;
            try {
                export_fax(tiff, format, page, out, mode, thumbnail_width);
            } catch (const FaxError& e) {
                failure = Failure{e.code(), e.what()};
            } catch (const std::exception& e) {
                failure = Failure{ErrorCode::Io, e.what()};
            }
            if (failure) {
                spdlog::warn("fax {}: cannot be made {}: {}", id, format_name(format),
                             failure->message);
                // Clients see the fax by its id, not its file in the spool.
                failure->message = replace_all(
                    replace_all(std::move(failure->message), tiff, "fax " + std::to_string(id)),
                    dir_.string(), "faxd's spool");
            }
            asio::post(io_, [this, name, failure] {
                if (failure)
                    work_[name] = failure;
                else
                    work_.erase(name);
            });
        });
    return std::nullopt;
}

int ReceivedExports::remove_unused(std::chrono::seconds age) {
    const auto cutoff = fs::file_time_type::clock::now() - age;
    int removed = 0;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir_, ignored)) {
        const std::string name = entry.path().filename().string();
        if (work_.count(name)) continue;
        std::error_code error;
        const auto when = fs::last_write_time(entry.path(), error);
        if (!error && when < cutoff && fs::remove(entry.path(), error)) ++removed;
    }
    return removed;
}

}  // namespace faxemu::faxd
