// faxd's document conversions: a Converting job's upload becomes its fax
// document on the worker pool, and the job Queued or Failed on the io thread
// when that ends; at start, jobs a crash left Converting are converted again.
#pragma once

#include <asio.hpp>

#include <filesystem>
#include <functional>

#include "core/clock.hpp"
#include "core/documents/cover_page.hpp"
#include "core/scheduler.hpp"
#include "core/worker_pool.hpp"
#include "tools/faxd/config.hpp"

namespace faxemu::faxd {

class Conversions {
  public:
    struct Parts {
        asio::io_context& io;
        const Clock& clock;
        Scheduler& scheduler;
        WorkerPool& workers;
        const Config& config;  // read at each conversion: a reload may change it
        std::filesystem::path spool;
        // A converted job is queued: the pumps may dispatch it now.
        std::function<void()> wake;
    };
    explicit Conversions(Parts parts) : parts_(std::move(parts)) {}
    Conversions(const Conversions&) = delete;
    Conversions& operator=(const Conversions&) = delete;

    // Converts a Converting job's upload (job.document).
    void convert(const Job& job);
    // At start: jobs left Converting by a crash are converted again (or fail
    // if their upload is gone).
    void resume();
    CoverPageTemplates cover_templates() const {
        return CoverPageTemplates(parts_.config.cover_pages);
    }

  private:
    Parts parts_;
};

}  // namespace faxemu::faxd
