#include "tools/faxd/outbound_archive.hpp"

#include <spdlog/spdlog.h>

#include "core/atomic_file.hpp"
#include "core/fax_tiff_tags.hpp"

namespace faxemu::faxd {

void archive_sent_fax(const Job& job, const SentCall& call, const std::filesystem::path& dir,
                      const std::filesystem::path& work_dir, const FileModes& modes) {
    const std::filesystem::path tagged =
        work_dir / ("job-" + std::to_string(job.id) + "-archived.tif");
    try {
        std::filesystem::copy_file(job.document, tagged,
                                   std::filesystem::copy_options::overwrite_existing);
        record_fax_tiff_info(tagged,
                             sent_fax_tiff_info(job, call.tsid, call.remote_ident, call.start));
        make_directories(dir, modes.dir);
        const std::string stem = "job-" + std::to_string(job.id);
        const Folder folder(dir);
        const std::string name = store_under_free_name(
            folder.fd(), dir, stem, modes.file, [&](AtomicFile& f) { f.copy_from(tagged); },
            [&](int n) { return stem + (n == 1 ? "" : "-" + std::to_string(n)) + ".tif"; }, 1000);
        spdlog::info("job {}: archived as {}", job.id, (dir / name).string());
    } catch (const std::exception& e) {
        spdlog::error("job {}: could not archive into {}: {}", job.id, dir.string(), e.what());
    }
    std::error_code ignored;
    std::filesystem::remove(tagged, ignored);
}

}  // namespace faxemu::faxd
