// The ports whose live status changed since it was last published, so that
// publishing costs O(changed ports) rather than a read of every port on every
// tick (issue 17: 3,200 idle ports cost 15-18 % of a core). A port marks
// itself when its status is edited (Port::update_status); the publisher drains.
// Thread-safe: ports may be driven by other threads than the publisher's.
#pragma once

#include <mutex>
#include <unordered_set>
#include <vector>

namespace faxemu {

class Port;

class PortStatusChanges {
  public:
    // Once per port until the next drain, however often it changes.
    void mark(Port* port);
    // A removed port: not drained again (a port stays allocated, FaxServer).
    void forget(Port* port);
    // The ports marked since the last drain, in the order first marked.
    std::vector<Port*> drain();

  private:
    std::mutex mutex_;
    std::vector<Port*> changed_;
    std::unordered_set<Port*> marked_;
};

}  // namespace faxemu
