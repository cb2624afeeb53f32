#include "tools/faxd/conversions.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <system_error>

#include "core/documents/conversion.hpp"
#include "core/documents/submission.hpp"
#include "core/local_time.hpp"

namespace faxemu::faxd {

void Conversions::resume() {
    for (const Job& job : parts_.scheduler.jobs(false)) {
        if (job.state != JobState::Converting) continue;
        if (std::filesystem::exists(job.document)) {
            spdlog::warn(
                "job {}: its document was being converted when faxd stopped; converting "
                "it again",
                job.id);
            convert(job);
        } else {
            parts_.scheduler.conversion_failed(
                job.id, "\"" + job.display_name + "\": the upload is gone from the spool");
        }
    }
}

void Conversions::convert(const Job& job) {
    SubmissionRequest request;
    request.output = parts_.spool / "documents" / ("job-" + std::to_string(job.id) + ".tif");
    request.work_dir = parts_.spool / "tmp" / ("convert-" + std::to_string(job.id));
    request.limits = parts_.config.conversion;
    request.mode = parts_.config.modes.file;
    request.templates = cover_templates();
    request.cover_date = local_time_text(parts_.clock.now());
    const std::filesystem::path input = job.document;
    const std::string name = job.display_name;
    const std::int64_t id = job.id;
    const std::string user = job.user_name;
    // Progress goes to the io thread, where the scheduler keeps it for job.get
    // and tells clients of it at most a few times a second.
    request.on_progress = [this, id = job.id](const ConversionProgress& progress) {
        asio::post(parts_.io,
                   [this, id, progress] { parts_.scheduler.conversion_progress(id, progress); });
    };
    parts_.workers.post([this, request, input, name, id, user](std::stop_token stop) mutable {
        std::optional<ConversionResult> result;
        std::string error;
        try {
            request.submission = load_submission(input, name);
            request.resolution = request.submission.resolution;
            result = convert_submission(request, stop);
        } catch (const ConversionCancelled&) {
            return;  // faxd is stopping: the job stays Converting for the next start
        } catch (const std::exception& e) {
            error = e.what();
        }
        asio::post(parts_.io, [this, request, input, name, id, user, result, error] {
            std::error_code ignored;
            if (!result) {
                std::filesystem::remove_all(input, ignored);
                if (parts_.scheduler.conversion_failed(id, error))
                    spdlog::warn("job {}: cannot be sent: {}", id, error);
                return;
            }
            for (const std::string& note : result->notes)
                spdlog::info("job {}: \"{}\" from {}: {}", id, name, user, note);
            auto job = parts_.scheduler.conversion_done(id, request.output.string(),
                                                        result->page_count, result->size);
            if (!job) {  // deleted while it converted
                std::filesystem::remove(request.output, ignored);
                std::filesystem::remove_all(input, ignored);
                return;
            }
            // The uploads go only once the job points at the converted file.
            std::filesystem::remove_all(input, ignored);
            spdlog::info("job {}: {} ({}) converted: {} page(s) to {}", id, name,
                         to_string(result->type), job->page_count, job->fax_number);
            parts_.wake();
        });
    });
}

}  // namespace faxemu::faxd
