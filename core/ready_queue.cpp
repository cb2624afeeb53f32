#include "core/ready_queue.hpp"

#include "core/fax_number.hpp"

namespace faxemu {

namespace {

bool is_waiting(JobState s) {
    return s == JobState::Queued || s == JobState::Retrying;
}

}  // namespace

void ReadyQueue::rebuild(const std::vector<Job>& jobs) {
    next_seq_ = 0;
    seq_.clear();
    waiting_.clear();
    due_[0].clear();
    due_[1].clear();
    later_.clear();
    calling_.clear();
    lines_.clear();
    for (const Job& job : jobs) put(job);
}

void ReadyQueue::remove(std::int64_t id) {
    if (auto w = waiting_.find(id); w != waiting_.end()) {
        const Job& old = w->second;
        due_[old.discount_send ? 1 : 0].erase(due_key(old));
        later_.erase({old.next_attempt, id});
        waiting_.erase(w);
    }
    if (auto c = calling_.find(id); c != calling_.end()) {
        auto [from, to] = lines_.equal_range(line_key(c->second));
        for (auto l = from; l != to; ++l) {
            if (l->second == c->second) {
                lines_.erase(l);
                break;
            }
        }
        calling_.erase(c);
    }
}

void ReadyQueue::put(const Job& job) {
    remove(job.id);
    // The first sight of an id is its submit: ids come to the store in that order.
    if (seq_.emplace(job.id, next_seq_).second) ++next_seq_;
    if (is_waiting(job.state)) {
        waiting_.emplace(job.id, job);
        // Due or not is decided by promote(), at the time next() reads.
        later_.insert({job.next_attempt, job.id});
    } else if (job.state == JobState::InProgress) {
        calling_.emplace(job.id, job.fax_number);
        lines_.emplace(line_key(job.fax_number), job.fax_number);
    }
}

void ReadyQueue::promote(TimePoint now) {
    while (!later_.empty() && later_.begin()->first <= now) {
        const Job& job = waiting_.at(later_.begin()->second);
        due_[job.discount_send ? 1 : 0].insert(due_key(job));
        later_.erase(later_.begin());
    }
}

int ReadyQueue::calls_to(const std::string& number) const {
    int n = 0;
    auto [from, to] = lines_.equal_range(line_key(number));
    for (auto l = from; l != to; ++l) n += rules_.same_number(l->second, number) ? 1 : 0;
    return n;
}

const Job* ReadyQueue::waiting(std::int64_t id) const {
    const auto w = waiting_.find(id);
    return w == waiting_.end() ? nullptr : &w->second;
}

// Numbers that are the same line always share this key (the converse is
// checked by same_number): the canonical form with a location; without one,
// the last kMinTrailingMatchDigits digits, as same_fax_number matches at
// least those (or the whole, shorter number, which must then be equal).
std::string ReadyQueue::line_key(const std::string& number) const {
    if (rules_.knows_location()) return rules_.canonical(number);
    const std::string digits = normalized_fax_number(number);
    return digits.size() > kMinTrailingMatchDigits
               ? digits.substr(digits.size() - kMinTrailingMatchDigits)
               : digits;
}

}  // namespace faxemu
