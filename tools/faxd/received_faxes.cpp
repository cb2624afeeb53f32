#include "tools/faxd/received_faxes.hpp"

#include <spdlog/spdlog.h>

#include "core/client_text.hpp"
#include "core/fax_tiff_tags.hpp"

namespace faxemu::faxd {

ReceivedFaxes::ReceivedFaxes(FaxServer& server, SqliteStore& store, RoutingQueue& routing,
                             Changed changed, Account account)
    : server_(server),
      store_(store),
      routing_(routing),
      changed_(std::move(changed)),
      account_(std::move(account)) {}

void ReceivedFaxes::call_started(const CallRecord& rec) {
    ReceivedFax f;
    f.device_id = rec.device_id;
    f.port_name = server_.port(rec.device_id).Name();
    f.file = rec.file.string();
    f.caller_id = rec.number;
    f.csid = server_.port(rec.device_id).Csid();
    f.start = rec.start_time;
    f.status = "receiving";
    f.id = store_.add_received(f);
    receiving_[rec.device_id] = f.id;
    spdlog::info("fax {}: answering a call from {} on port {}", f.id, rec.number, rec.device_id);
    changed_(f);
}

void ReceivedFaxes::call_progress(const CallRecord& rec, const SessionEvent& e) {
    auto it = receiving_.find(rec.device_id);
    if (it == receiving_.end()) return;
    if (auto f = store_.received(it->second)) {
        f->pages = e.pages_done;
        f->remote_ident = e.remote_ident;
        store_.update_received(*f);
    }
}

void ReceivedFaxes::call_ended(const CallRecord& rec) {
    auto it = receiving_.find(rec.device_id);
    if (it == receiving_.end()) return;
    const std::int64_t fax_id = it->second;
    receiving_.erase(it);
    account_(rec, fax_id);
    auto f = store_.received(fax_id);
    if (!f) return;
    f->end = rec.end_time;
    f->pages = rec.pages;
    f->remote_ident = rec.remote_ident;
    f->bit_rate = rec.session.bit_rate;
    f->resolution = rec.session.resolution;
    f->compression = rec.session.compression;
    f->cause_text = replace_all(rec.outcome.cause_text, f->file,  // logged below with the path
                                "fax " + std::to_string(fax_id) + "'s file");
    f->partial = !rec.outcome.ok();
    f->status = rec.outcome.ok() ? "completed" : rec.pages > 0 ? "partial" : "failed";
    if (rec.pages == 0) {
        std::error_code ignored;
        std::filesystem::remove(f->file, ignored);
    } else {
        // What FaxTiff (COM) reads, in the file itself, before anything copies it.
        try {
            record_fax_tiff_info(f->file,
                                 received_fax_tiff_info(*f, server_.port(rec.device_id).number));
        } catch (const std::exception& e) {  // the fax is still there, untagged
            spdlog::warn("fax {}: cannot record its details in {}: {}", fax_id, f->file, e.what());
        }
        // Stored with the reception's end in one write: a crash cannot leave a
        // received fax that nobody will route.
        routing_.plan(*f);
    }
    store_.update_received(*f);
    if (rec.outcome.ok())
        spdlog::info("fax {}: {} page(s) from \"{}\" on port {} into {}: {}", fax_id, rec.pages,
                     rec.remote_ident, rec.device_id, f->file, f->status);
    else  // an operator looks for why a fax did not come
        spdlog::warn("fax {}: reception on port {} from \"{}\" {} after {} page(s): {}{}", fax_id,
                     rec.device_id, rec.remote_ident, f->status, rec.pages, rec.outcome.cause_text,
                     rec.pages > 0 ? " (the pages are kept in " + f->file + ")" : "");
    changed_(*f);
    routing_.start(*f);
}

}  // namespace faxemu::faxd
