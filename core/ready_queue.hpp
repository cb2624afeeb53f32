// The Scheduler's in-memory index of the outbound queue, so that picking the
// next job costs O(log n) instead of reading every job from the store: the
// waiting jobs (Queued, Retrying) in the order next() tries them (higher
// priority first, then submit order; discount jobs apart, as they may go only
// in the discount window), those whose time has not come yet by that time,
// and the numbers being called now. The Scheduler puts every job it persists
// here, and rebuilds the index from the store (the truth) when it starts, after
// recovery and after a purge.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/dial_rules.hpp"
#include "core/job.hpp"

namespace faxemu {

class ReadyQueue {
  public:
    // Numbers are compared by these rules (the Scheduler's); rebuild after a change.
    void set_dial_rules(DialRules rules) { rules_ = std::move(rules); }

    // Forgets everything, then indexes `jobs` (in submit order: the store's).
    void rebuild(const std::vector<Job>& jobs);
    // A job as it now is in the store: indexed by its state (waiting, in a
    // call, or neither: paused, converting, finished).
    void put(const Job& job);

    // Moves the waiting jobs whose next attempt is due by `now` into the due order.
    void promote(TimePoint now);
    // Whether a job is due (discount jobs only when `discount_now`).
    bool any_due(bool discount_now) const {
        return !due_[0].empty() || (discount_now && !due_[1].empty());
    }
    // The first due job, in next()'s order, that `accept` takes; discount jobs
    // only when `discount_now`. Jobs `accept` refuses are skipped, not removed.
    template <class Accept>
    const Job* find(bool discount_now, Accept&& accept) const;

    // How many calls in progress go to `number` (DialRules::same_number).
    int calls_to(const std::string& number) const;
    // The waiting job `id` (due or not), or null.
    const Job* waiting(std::int64_t id) const;
    const std::map<std::int64_t, Job>& waiting_jobs() const { return waiting_; }

  private:
    // Higher priority first, then submit order.
    using DueKey = std::tuple<std::int32_t, std::uint64_t, std::int64_t>;
    DueKey due_key(const Job& job) const { return {-job.priority, seq_.at(job.id), job.id}; }
    // What numbers reaching the same line share (see calls_to); "" for none.
    std::string line_key(const std::string& number) const;
    void remove(std::int64_t id);

    DialRules rules_;
    std::uint64_t next_seq_ = 0;
    std::unordered_map<std::int64_t, std::uint64_t> seq_;      // submit order of every job seen
    std::map<std::int64_t, Job> waiting_;                      // Queued and Retrying, by id
    std::set<DueKey> due_[2];                                  // [discount_send]
    std::set<std::pair<TimePoint, std::int64_t>> later_;       // waiting, not yet due
    std::unordered_map<std::int64_t, std::string> calling_;    // in a call: id -> number
    std::unordered_multimap<std::string, std::string> lines_;  // line_key -> number called
};

template <class Accept>
const Job* ReadyQueue::find(bool discount_now, Accept&& accept) const {
    // The two due orders merged; without the discount window, the first alone.
    auto a = due_[0].begin();
    auto b = due_[1].begin();
    const auto b_end = discount_now ? due_[1].end() : due_[1].begin();
    while (a != due_[0].end() || b != b_end) {
        const bool take_a = b == b_end || (a != due_[0].end() && *a < *b);
        const std::int64_t id = std::get<2>(take_a ? *a++ : *b++);
        const Job& job = waiting_.at(id);
        if (accept(job)) return &job;
    }
    return nullptr;
}

}  // namespace faxemu
