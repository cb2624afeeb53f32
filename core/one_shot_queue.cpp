#include "core/one_shot_queue.hpp"

#include <limits>

#include "core/caller_rights.hpp"
#include "core/error.hpp"

namespace faxemu {

OneShotQueue::OneShotQueue(FaxServer& server, PortBank& bank, const Clock& clock,
                           const std::filesystem::path& queue_db)
    : bank_(bank), store_(queue_db), scheduler_(server, store_, clock) {
    // Callers may ring one number from several ports at once (to get it busy).
    scheduler_.set_max_calls_per_number(std::numeric_limits<int>::max());
    bank_.set_observer(this);
}

OneShotQueue::~OneShotQueue() {
    bank_.set_observer(nullptr);
}

std::int32_t OneShotQueue::send(const SendRequest& request) {
    Job j;
    j.fax_number = request.number;
    j.document = request.document.string();
    j.display_name = request.document_name;
    j.size = request.document_size;
    j.page_count = request.page_count;
    j.tsid = request.tsid;
    j.sender_name = request.sender_name;
    j.recipient_name = request.recipient_name;
    j.max_retries = 0;  // one attempt: the caller sees how it ended
    const std::int64_t id = scheduler_.submit(j).id;
    const auto d = scheduler_.next([this](std::int32_t device) { return bank_.can_send(device); });
    if (!d || d->job.id != id) {
        scheduler_.command(CallerRights::admin(), "", id, JobCommand::Delete);
        throw FaxError(ErrorCode::DeviceInUse, "no port may send to " + request.number + " now");
    }
    scheduler_.attempt_started(id, d->device_id);
    sending_[d->device_id] = id;
    bank_.send_on(d->device_id, request);
    return d->device_id;
}

void OneShotQueue::call_ended(const CallRecord& rec) {
    if (!rec.outbound) return;
    const auto it = sending_.find(rec.device_id);
    if (it == sending_.end()) return;
    const std::int64_t id = it->second;
    sending_.erase(it);
    scheduler_.attempt_ended(id, rec.outcome);
}

}  // namespace faxemu
