// The ports free to send now, highest priority first, for Scheduler::next():
// read once per dispatch round (one pass over the ports, when a job is first
// due) instead of once per job, and each dispatched job takes its port out, so
// that picking a port for the next job is O(log n).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "core/fax_server.hpp"
#include "core/port.hpp"

namespace faxemu {

class FreePorts {
  public:
    // The ports with Send on for which `port_free(device id)` is true, read
    // when first asked for.
    FreePorts(const FaxServer& server, std::function<bool(std::int32_t)> port_free)
        : server_(server), port_free_(std::move(port_free)) {}

    bool empty() {
        read();
        return free_.empty();
    }
    // Every port, free or not, by priority, as read.
    const std::vector<Port*>& all() {
        read();
        return ports_;
    }

    // Takes the first free port, by priority, that `fits` out of the free
    // ones and returns it; null if none fits.
    template <class Fits>
    const Port* take_first(Fits&& fits) {
        read();
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            const Port* port = ports_[*it];
            if (!fits(*port)) continue;
            free_.erase(it);
            return port;
        }
        return nullptr;
    }

  private:
    void read() {
        if (read_) return;
        read_ = true;
        ports_ = server_.ports_by_priority();
        for (std::size_t rank = 0; rank < ports_.size(); ++rank) {
            if (ports_[rank]->Send() && port_free_(ports_[rank]->DeviceId())) free_.insert(rank);
        }
    }

    const FaxServer& server_;
    std::function<bool(std::int32_t)> port_free_;
    bool read_ = false;
    std::vector<Port*> ports_;    // every port when read, best first
    std::set<std::size_t> free_;  // ranks in ports_ still free
};

}  // namespace faxemu
