#include "tools/faxctl/follow.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include "tools/faxctl/output.hpp"

namespace faxemu::faxctl {

namespace {

bool is_final(const std::string& state) {
    return state == "completed" || state == "failed" || state == "retries_exceeded" ||
           state == "cancelled";
}

}  // namespace

JobFollower::JobFollower(rpc::FaxClient& client, bool utc, Now now)
    : client_(client), utc_(utc), now_(std::move(now)), start_(now_()) {
    client_.set_notification_handler(
        [inbox = inbox_](const std::string& method, const rpc::json& params) {
            std::lock_guard lock(inbox->mutex);
            inbox->events.emplace_back(method, params);
            inbox->cv.notify_all();
        });
}

JobFollower::~JobFollower() {
    client_.set_notification_handler({});
}

void JobFollower::on_job(Followed& f, const rpc::json& job) {
    const bool was_on_port = f.job.is_object() && f.job.value("state", "") == "in_progress";
    f.job = job;
    if (!was_on_port || job.value("state", "") != "in_progress") {
        f.port_description.clear();
        f.bit_rate = 0;
    }
}

std::string JobFollower::elapsed() const {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(now_() - start_).count();
    if (s >= 3600) return fmt::format("[{}:{:02}:{:02}]", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("[{}:{:02}]", s / 60, s % 60);
}

std::string JobFollower::describe(std::int64_t id, const Followed& f) const {
    const rpc::json& job = f.job;
    const std::string state = job.value("state", "");
    std::string line = fmt::format("job {}: {}", id, job.value("queue_status_text", ""));
    if (state == "in_progress") {
        if (!f.port_description.empty()) line += " — " + f.port_description;
        // A port's description usually names its rate already.
        if (f.bit_rate > 0 && f.port_description.find("bit/s") == std::string::npos)
            line += fmt::format(", {} bit/s", f.bit_rate);
        return line;
    }
    const std::string error = job.value("last_error", "");
    if (!error.empty()) line += " (" + error + ")";
    const std::string next = shown_time(job.value("next_attempt", rpc::json()), utc_);
    if (state == "retrying" && !next.empty()) line += " — next attempt " + next;
    return line;
}

void JobFollower::print_if_changed(std::int64_t id, Followed& f, bool json_output) {
    if (f.job.value("state", "") == "converting") return;  // send waited for the conversion
    const std::string line = describe(id, f);
    if (line == f.printed) return;
    f.printed = line;
    if (!json_output) {
        fmt::print("{} {}\n", elapsed(), line);
        std::fflush(stdout);
    }
}

bool JobFollower::wait(std::vector<std::int64_t> ids, bool json_output) {
    std::map<std::int64_t, Followed> jobs;
    for (std::int64_t id : ids) jobs[id];
    bool all_ok = true;
    auto finish_those_final = [&] {
        for (auto it = jobs.begin(); it != jobs.end();) {
            const std::string state = it->second.job.value("state", "");
            if (!is_final(state)) {
                ++it;
                continue;
            }
            if (state != "completed") all_ok = false;
            if (json_output) fmt::print("{}\n", it->second.job.dump(2));
            it = jobs.erase(it);
        }
    };
    auto ask = [&] {  // the truth, whatever notifications were missed
        for (auto& [id, f] : jobs) {
            on_job(f, client_.call("job.get", {{"job_id", id}}));
            print_if_changed(id, f, json_output);
        }
        finish_those_final();
    };
    // What was heard since before the submission comes first, in order; then
    // job.get settles where each job is now.
    auto next_ask = std::chrono::steady_clock::now();
    while (!jobs.empty()) {
        std::deque<Event> events;
        {
            std::unique_lock lock(inbox_->mutex);
            if (next_ask > std::chrono::steady_clock::now())
                inbox_->cv.wait_until(lock, next_ask, [&] { return !inbox_->events.empty(); });
            events.swap(inbox_->events);
        }
        for (const auto& [method, params] : events) {
            if (method == "job.changed" && params.contains("job")) {
                const rpc::json& job = params["job"];
                auto it = jobs.find(job.value("job_id", std::int64_t{0}));
                if (it == jobs.end()) continue;
                on_job(it->second, job);
                print_if_changed(it->first, it->second, json_output);
            } else if (method == "port.status" && params.contains("status")) {
                const rpc::json& s = params["status"];
                if (s.value("device_status_text", "") == "Available") continue;
                for (auto& [id, f] : jobs) {
                    if (f.job.value("state", "") != "in_progress" ||
                        f.job.value("device_id", 0) != s.value("device_id", -1))
                        continue;
                    f.port_description = s.value("description", "");
                    f.bit_rate = s.value("bit_rate", 0);
                    print_if_changed(id, f, json_output);
                }
            }
        }
        finish_those_final();
        if (!jobs.empty() && std::chrono::steady_clock::now() >= next_ask) {
            ask();
            next_ask = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        }
    }
    return all_ok;
}

}  // namespace faxemu::faxctl
