#include "core/protocol/submit.hpp"

#include <algorithm>
#include <thread>

#include "core/protocol/error_codes.hpp"

namespace faxemu::rpc {

json submit_and_wait(FaxClient& client, const json& params, std::chrono::milliseconds timeout,
                     const std::function<void(const json& job)>& on_converting) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    json job = client.call("job.submit", params, timeout);
    const auto id = job.at("job_id").get<std::int64_t>();
    // Polled rather than followed through job.changed: the notification handler
    // is the caller's to set. Short at first, as most documents convert at once.
    auto pause = std::chrono::milliseconds(10);
    while (job.at("state") == "converting") {
        if (on_converting) on_converting(job);
        if (std::chrono::steady_clock::now() >= end)
            throw RpcError(kIoError, "job " + std::to_string(id) +
                                         ": its document is still being converted after " +
                                         std::to_string(timeout.count() / 1000) + " s");
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(250));
        job = client.call("job.get", {{"job_id", id}});
    }
    if (job.at("state") == "failed" && job.value("page_count", 0) == 0)
        throw RpcError(kBadDocument, job.value("last_error", std::string("cannot be converted")));
    return job;
}

}  // namespace faxemu::rpc
