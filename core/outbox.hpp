// A session's queue of outgoing lines (RpcServer, and the web console's
// WebSockets), bounded so that a client that stops reading cannot hold faxd's
// memory, and coalescing so that one that reads slowly is not dropped by a
// burst: a line pushed with a key (a state notification, e.g. one port's
// status) replaces the unsent line of the same key in its place, so the queue
// holds at most one line per key (PROTOCOL.md, "Notifications").
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace faxemu {

class Outbox {
  public:
    struct Limits {
        std::size_t max_messages = 4096;  // lines without a key (answers, events)
        std::size_t max_states = 65536;   // lines with a key: one per key at most
        std::size_t max_bytes = 64u << 20;
    };

    explicit Outbox(Limits limits) : limits_(limits) {}

    // False when the line does not fit (the client has stopped reading): the
    // queue is unchanged. One line always fits an empty queue. `key` empty:
    // never replaced.
    bool push(std::string line, const std::string& key = {});
    bool empty() const { return entries_.empty(); }
    // The oldest line, taken out (the writer holds it while it is written, so
    // it is never replaced mid-write).
    std::string take();

    std::size_t size() const { return entries_.size(); }
    std::size_t bytes() const { return bytes_; }

  private:
    struct Entry {
        std::string line;
        std::string key;
    };

    Limits limits_;
    std::deque<Entry> entries_;
    std::uint64_t first_ = 0;                                // sequence number of entries_.front()
    std::unordered_map<std::string, std::uint64_t> queued_;  // key -> sequence number
    std::size_t messages_ = 0;                               // entries without a key
    std::size_t bytes_ = 0;
};

}  // namespace faxemu
