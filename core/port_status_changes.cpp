#include "core/port_status_changes.hpp"

#include <algorithm>
#include <utility>

namespace faxemu {

void PortStatusChanges::mark(Port* port) {
    std::lock_guard lock(mutex_);
    if (marked_.insert(port).second) changed_.push_back(port);
}

void PortStatusChanges::forget(Port* port) {
    std::lock_guard lock(mutex_);
    if (marked_.erase(port) > 0) changed_.erase(std::find(changed_.begin(), changed_.end(), port));
}

std::vector<Port*> PortStatusChanges::drain() {
    std::lock_guard lock(mutex_);
    marked_.clear();
    return std::exchange(changed_, {});
}

}  // namespace faxemu
