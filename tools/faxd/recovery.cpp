#include "tools/faxd/recovery.hpp"

#include <spdlog/spdlog.h>
#include <tiffio.h>

#include <set>

#include "core/atomic_file.hpp"
#include "core/fax_tiff_tags.hpp"
#include "core/image_compare.hpp"
#include "core/routing_method.hpp"
#include "core/routing_runner.hpp"

namespace faxemu::faxd {

namespace {

// The pages of an interrupted reception that were written whole.
std::vector<BilevelPage> whole_pages(const ReceivedFax& f) {
    std::vector<BilevelPage> pages;
    try {
        visit_bilevel_pages(f.file, [&](BilevelPage&& page, const TiffPageTags&) {
            pages.push_back(std::move(page));
        });
    } catch (const std::exception& e) {
        spdlog::info("fax {}: reading the interrupted reception stopped: {}", f.id, e.what());
    }
    return pages;
}

// The pages are written anew, and what FaxTiff reads goes in again (routing
// is the number of the port it came in on, if still there).
void rewrite_pages(const ReceivedFax& f, const std::vector<BilevelPage>& pages,
                   const FaxServer& server, mode_t mode) {
    replace_atomically(
        f.file,
        [&](const std::filesystem::path& temp) {
            write_bilevel_pages(temp, pages, COMPRESSION_CCITTFAX4);
        },
        mode);
    try {
        std::string routing;
        for (const Port* p : server.ports())
            if (p->DeviceId() == f.device_id) routing = p->number;
        record_fax_tiff_info(f.file, received_fax_tiff_info(f, routing));
    } catch (const std::exception& e) {  // the pages are kept, untagged
        spdlog::warn("fax {}: cannot record its details in {}: {}", f.id, f.file, e.what());
    }
}

}  // namespace

void remove_stale_temporaries(const FaxServer& server, SqliteStore& store,
                              const std::filesystem::path& spool) {
    std::set<std::string> folders;
    for (Port* p : server.ports())
        if (const RoutingMethod* m = p->routing_method(kFolderRoutingGuid);
            m && !m->RoutingData().empty())
            folders.insert(m->RoutingData());
    for (const ReceivedFax& f : store.received_faxes())
        for (const RoutingOutcome& o : f.routing)
            if (!o.done && o.guid == kFolderRoutingGuid) folders.insert(o.routing_data);
    // A received fax's tags are written into a temporary copy (fax_tiff_tags)
    // that a crash may leave beside it.
    folders.insert((spool / "received").string());
    for (const std::string& folder : folders)
        if (int n = RoutingRunner::remove_stale_temporaries(folder))
            spdlog::info("faxd: removed {} unfinished copies from {}", n, folder);
}

void recover_received(const FaxServer& server, SqliteStore& store, const Clock& clock,
                      const Config& config, RoutingQueue& routing) {
    for (ReceivedFax f : store.received_faxes()) {
        if (f.end) {
            routing.resume(f);
            continue;
        }
        // faxd died during this reception: keep every page that was written whole.
        const std::vector<BilevelPage> pages = whole_pages(f);
        f.end = clock.now();
        f.partial = true;
        f.pages = static_cast<std::int32_t>(pages.size());
        f.cause_text = "interrupted: faxd stopped during the reception";
        if (pages.empty()) {
            f.status = "failed";
            std::error_code ignored;
            std::filesystem::remove(f.file, ignored);
        } else {
            rewrite_pages(f, pages, server, config.modes.file);
            f.status = "partial";
            routing.plan(f);
        }
        store.update_received(f);
        spdlog::warn("fax {}: reception on port {} was interrupted; {} whole page(s) kept", f.id,
                     f.device_id, f.pages);
        routing.start(f);
    }
}

void remove_orphan_documents(SqliteStore& store, const std::filesystem::path& spool) {
    std::set<std::string> wanted;
    for (const Job& j : store.jobs()) wanted.insert(j.document);
    for (const auto& entry : std::filesystem::directory_iterator(spool / "documents"))
        if (!wanted.count(entry.path().string())) std::filesystem::remove_all(entry.path());
    for (const auto& entry : std::filesystem::directory_iterator(spool / "tmp"))
        std::filesystem::remove_all(entry.path());
}

}  // namespace faxemu::faxd
