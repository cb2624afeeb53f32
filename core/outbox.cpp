#include "core/outbox.hpp"

#include <utility>

namespace faxemu {

bool Outbox::push(std::string line, const std::string& key) {
    if (!key.empty()) {
        if (const auto it = queued_.find(key); it != queued_.end()) {
            // The client has not been sent the older state yet: it gets this one
            // in that one's place.
            Entry& queued = entries_[static_cast<std::size_t>(it->second - first_)];
            const std::size_t bytes = bytes_ - queued.line.size() + line.size();
            if (bytes > limits_.max_bytes && entries_.size() > 1) return false;
            bytes_ = bytes;
            queued.line = std::move(line);
            return true;
        }
    }
    if (!entries_.empty()) {
        const bool full =
            key.empty() ? messages_ >= limits_.max_messages : queued_.size() >= limits_.max_states;
        if (full || bytes_ + line.size() > limits_.max_bytes) return false;
    }
    bytes_ += line.size();
    if (key.empty())
        ++messages_;
    else
        queued_.emplace(key, first_ + entries_.size());
    entries_.push_back({std::move(line), key});
    return true;
}

std::string Outbox::take() {
    Entry entry = std::move(entries_.front());
    entries_.pop_front();
    ++first_;
    bytes_ -= entry.line.size();
    if (entry.key.empty())
        --messages_;
    else
        queued_.erase(entry.key);
    return std::move(entry.line);
}

}  // namespace faxemu
