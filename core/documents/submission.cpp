#include "core/documents/submission.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

#include "core/atomic_file.hpp"
#include "core/documents/fax_page.hpp"
#include "core/documents/personal_cover_page.hpp"
#include "core/documents/temporary_folder.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kManifest = "submission.json";

// The client's own template from the spool, checked again (the spool is
// faxd's, but a check is cheap and the rule is one).
std::string read_personal_cover_page(const SubmittedDocument& d) {
    std::ifstream in(d.file, std::ios::binary);
    if (!in) throw FaxError(ErrorCode::Io, "cover page \"" + d.name + "\": cannot be read");
    std::string svg(kMaxPersonalCoverPageBytes + 1, '\0');
    in.read(svg.data(), static_cast<std::streamsize>(svg.size()));
    svg.resize(static_cast<std::size_t>(in.gcount()));
    check_personal_cover_page(d.name, svg);
    return svg;
}

}  // namespace

void save_submission(const fs::path& folder, const Submission& submission,
                     std::optional<mode_t> mode) {
    json docs = json::array();
    for (const SubmittedDocument& d : submission.documents)
        docs.push_back({{"file", d.file.filename().string()}, {"name", d.name}});
    json out = {
        {"documents", docs}, {"cover", nullptr}, {"resolution", to_string(submission.resolution)}};
    if (submission.cover) {
        json cover = {{"template", submission.cover->template_name}};
        for (const auto& [name, member] : cover_page_fields())
            cover[name] = (*submission.cover).*member;
        out["cover"] = cover;
    }
    if (submission.cover_template)
        out["cover_template"] = {{"file", submission.cover_template->file.filename().string()},
                                 {"name", submission.cover_template->name}};
    const std::string text = out.dump(2);
    write_file_atomically(
        folder / kManifest,
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode);
}

Submission load_submission(const fs::path& folder_or_file, const std::string& name) {
    Submission s;
    std::error_code ec;
    if (!fs::is_directory(folder_or_file, ec)) {
        s.documents.push_back({folder_or_file, name});
        return s;
    }
    const fs::path manifest = folder_or_file / kManifest;
    std::ifstream in(manifest);
    if (!in) throw FaxError(ErrorCode::Io, manifest.string() + ": cannot be read");
    try {
        const json j = json::parse(in);
        for (const json& d : j.at("documents"))
            s.documents.push_back({folder_or_file / d.at("file").get<std::string>(),
                                   d.at("name").get<std::string>()});
        if (j.contains("cover") && j["cover"].is_object()) {
            CoverPageInfo cover;
            cover.template_name = j["cover"].value("template", "");
            for (const auto& [field, member] : cover_page_fields())
                cover.*member = j["cover"].value(field, "");
            s.cover = cover;
        }
        // A submission stored before there was a choice is fine, as it was then.
        s.resolution =
            fax_resolution_from_string(j.value("resolution", "fine")).value_or(FaxResolution::Fine);
        if (j.contains("cover_template") && j["cover_template"].is_object())
            s.cover_template = SubmittedDocument{
                folder_or_file / j["cover_template"].at("file").get<std::string>(),
                j["cover_template"].at("name").get<std::string>()};
    } catch (const json::exception& e) {
        throw FaxError(ErrorCode::Io, manifest.string() + ": " + e.what());
    }
    return s;
}

ConversionResult convert_submission(const SubmissionRequest& request, std::stop_token stop) {
    const Submission& submission = request.submission;
    if (submission.documents.empty())
        throw FaxError(ErrorCode::BadDocument, "the fax has no document");
    const auto documents = static_cast<std::int32_t>(submission.documents.size());
    auto conversion = [&](const SubmittedDocument& d, fs::path output, fs::path work_dir,
                          std::int32_t index) {
        ConversionRequest c;
        if (request.on_progress) {
            ConversionProgress progress{d.name, index, documents, 0, std::nullopt};
            request.on_progress(progress);
            c.on_pages = [sink = request.on_progress, progress](
                             std::int32_t done, std::optional<std::int32_t> total) mutable {
                progress.pages_done = done;
                progress.pages_total = total;
                sink(progress);
            };
        }
        c.input = d.file;
        c.name = d.name;
        c.output = std::move(output);
        c.work_dir = std::move(work_dir);
        c.resolution = request.resolution;
        c.paper = request.paper;
        c.limits = request.limits;
        c.mode = request.mode;
        return c;
    };
    if (submission.documents.size() == 1 && !submission.cover)
        return convert_document(
            conversion(submission.documents[0], request.output, request.work_dir, 1), stop);

    TemporaryFolder work(request.work_dir);
    ConversionResult result;
    std::vector<BilevelPage> pages;
    for (std::size_t i = 0; i < submission.documents.size(); ++i) {
        const SubmittedDocument& d = submission.documents[i];
        const std::string part = "part-" + std::to_string(i + 1);
        const ConversionRequest c = conversion(d, work.path() / (part + ".tif"), work.path() / part,
                                               static_cast<std::int32_t>(i + 1));
        const ConversionResult converted = convert_document(c, stop);
        if (i == 0) result.type = converted.type;
        for (const std::string& note : converted.notes)
            result.notes.push_back("\"" + d.name + "\": " + note);
        std::vector<BilevelPage> got = read_bilevel_pages(c.output);
        pages.insert(pages.end(), std::make_move_iterator(got.begin()),
                     std::make_move_iterator(got.end()));
    }
    const std::size_t total = pages.size() + (submission.cover ? 1 : 0);
    if (total > static_cast<std::size_t>(request.limits.max_pages))
        throw FaxError(ErrorCode::BadDocument, "the fax would have " + std::to_string(total) +
                                                   " pages, more than the limit of " +
                                                   std::to_string(request.limits.max_pages));
    if (submission.cover) {
        if (stop.stop_requested()) throw ConversionCancelled();
        const CoverPageInfo& cover = *submission.cover;
        std::string name = cover.template_name.empty() ? "default" : cover.template_name;
        std::string svg;
        if (submission.cover_template) {
            name = submission.cover_template->name;
            svg = read_personal_cover_page(*submission.cover_template);
        } else {
            svg = request.templates.load(cover.template_name);
        }
        const FaxPageGeometry geometry =
            fax_page_geometry(request.paper, rows_per_inch(request.resolution));
        pages.insert(pages.begin(),
                     render_cover_page(name, svg, cover,
                                       {request.cover_date, static_cast<int>(total)}, geometry));
    }
    write_fax_pages(request.output, pages, request.mode);
    result.page_count = static_cast<std::int32_t>(pages.size());
    std::error_code ec;
    result.size = static_cast<std::int64_t>(fs::file_size(request.output, ec));
    return result;
}

}  // namespace faxemu
