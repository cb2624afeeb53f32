#include "tools/faxd/routing_queue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "core/routing_method.hpp"

namespace faxemu::faxd {

RoutingQueue::RoutingQueue(asio::io_context& io, const Clock& clock, SqliteStore& store,
                           RoutingRunner& router, WorkerPool& workers, const FaxServer& server,
                           const Config& config, Changed changed)
    : io_(io),
      clock_(clock),
      store_(store),
      router_(router),
      workers_(workers),
      server_(server),
      config_(config),
      changed_(std::move(changed)) {}

void RoutingQueue::plan(ReceivedFax& f) const {
    const Port& port = server_.port(f.device_id);
    f.routing.clear();
    for (const RoutingMethod* m : port.GetRoutingMethods())
        if (m->Enable()) {
            RoutingOutcome o;
            o.guid = m->Guid();
            o.routing_data = m->RoutingData();
            o.next_try = clock_.now();
            f.routing.push_back(o);
        }
}

void RoutingQueue::start(const ReceivedFax& f) {
    for (std::size_t i = 0; i < f.routing.size(); ++i) run(f.id, i);
}

void RoutingQueue::resume(const ReceivedFax& f) {
    for (std::size_t i = 0; i < f.routing.size(); ++i)
        if (!f.routing[i].done && f.routing[i].tries < config_.routing_max_tries)
            schedule_retry(f.id, i, f.routing[i].next_try.value_or(clock_.now()));
}

void RoutingQueue::run(std::int64_t fax_id, std::size_t index) {
    auto f = store_.received(fax_id);
    if (!f || index >= f->routing.size()) return;
    const RoutingMethodInfo* info = find_routing_method(f->routing[index].guid);
    if (!info) return;
    const ReceivedFax snapshot = *f;
    const RoutingKind kind = info->kind;
    const std::string data = f->routing[index].routing_data;
    workers_.post([this, snapshot, kind, data, fax_id, index](std::stop_token) {
        RoutingRun result = router_.run(kind, data, snapshot);
        asio::post(io_, [this, result, fax_id, index] {
            auto f = store_.received(fax_id);
            if (!f || index >= f->routing.size()) return;
            RoutingOutcome& o = f->routing[index];
            ++o.tries;
            o.done = result.ok;
            o.detail = result.detail;
            o.next_try.reset();
            if (!result.ok && o.tries < config_.routing_max_tries)
                o.next_try = clock_.now() +
                             std::chrono::duration_cast<Duration>(config_.routing_retry_delay);
            store_.update_received(*f);
            if (result.ok)
                spdlog::info("fax {}: routing: {}", fax_id, result.detail);
            else  // the detail names the fax; the log also names its file
                spdlog::warn("fax {}: routing failed (try {} of {}): {} (file {})", fax_id, o.tries,
                             config_.routing_max_tries, result.detail, f->file);
            changed_(*f);
            if (o.next_try) schedule_retry(fax_id, index, *o.next_try);
        });
    });
}

void RoutingQueue::schedule_retry(std::int64_t fax_id, std::size_t index, TimePoint when) {
    auto timer = std::make_shared<asio::steady_timer>(io_);
    const auto delay = std::max(Duration::zero(), when - clock_.now());
    timer->expires_after(delay);
    timer->async_wait([this, timer, fax_id, index](const asio::error_code& ec) {
        if (!ec && !stopping_) run(fax_id, index);
    });
}

}  // namespace faxemu::faxd
