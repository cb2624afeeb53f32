#include "tools/faxd/status_publisher.hpp"

#include <utility>

#include "tools/faxd/json_views.hpp"

namespace faxemu::faxd {

StatusPublisher::StatusPublisher(FaxServer& server, const Clock& clock, Scheduler& scheduler,
                                 JobOnPort job_on, Notify notify)
    : server_(server),
      clock_(clock),
      scheduler_(scheduler),
      job_on_(std::move(job_on)),
      notify_(std::move(notify)) {}

void StatusPublisher::publish() {
    for (Port* p : server_.status_changes().drain()) {
        ++visited_;
        PortStatus s = p->GetStatus(clock_);
        std::string key = std::to_string(static_cast<std::uint32_t>(s.device_status)) + "|" +
                          s.description + "|" + std::to_string(s.current_page);
        std::string& last = published_[s.device_id];
        if (last == key) continue;
        last = std::move(key);
        if (const auto job = job_on_(s.device_id)) scheduler_.device_status(*job, s.device_status);
        notify_("port.status", {{"status", status_json(s)}});
    }
}

void StatusPublisher::republish(Port& port) {
    published_.erase(port.DeviceId());
    server_.status_changes().mark(&port);
}

}  // namespace faxemu::faxd
