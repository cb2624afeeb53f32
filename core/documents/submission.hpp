// A fax as a client submits it: one or more documents, sent in order as one
// fax, perhaps after a cover page. faxd keeps a submission in the spool as a
// folder (the uploads as they came, and submission.json naming them and the
// cover page) until it is converted, so a conversion cut by a crash is done
// again at the next start with everything the client sent.
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/conversion_progress.hpp"
#include "core/documents/conversion.hpp"
#include "core/documents/cover_page.hpp"

namespace faxemu {

struct SubmittedDocument {
    std::filesystem::path file;
    std::string name;  // the client's name for it, in every error
};

struct Submission {
    std::vector<SubmittedDocument> documents;
    std::optional<CoverPageInfo> cover;  // none: no cover page
    // The client's own cover page template (personal_cover_page.hpp), drawn
    // instead of the server's cover->template_name.
    std::optional<SubmittedDocument> cover_template;
    // Rows per inch the documents and the cover page are rendered at (job.submit's
    // resolution); a bilevel TIFF keeps its own.
    FaxResolution resolution = FaxResolution::Fine;
};

// Writes `submission` as <folder>/submission.json, atomically; the documents'
// files must already be in `folder` (their names are stored relative to it).
void save_submission(const std::filesystem::path& folder, const Submission& submission,
                     std::optional<mode_t> mode = std::nullopt);

// Reads <folder>/submission.json; a plain file (a spool from before folders)
// is one document called `name`. Throws FaxError(Io) when it cannot be read.
Submission load_submission(const std::filesystem::path& folder_or_file, const std::string& name);

struct SubmissionRequest {
    Submission submission;
    std::filesystem::path output;    // the TIFF-F to write, atomically
    std::filesystem::path work_dir;  // for intermediate files; made and removed here
    FaxResolution resolution = FaxResolution::Fine;
    std::string paper = "letter";
    ConversionLimits limits;  // max_pages for the whole fax, the rest per document
    std::optional<mode_t> mode;
    CoverPageTemplates templates;  // where the cover page's template is looked up
    std::string cover_date;        // {{date}}
    // Told, on the converting thread, as each document starts and as its
    // pages are converted.
    ConversionProgressSink on_progress;
};

// Converts each document (convert_document) and joins their pages, the cover
// page first, into one TIFF-F. One document without a cover page is converted
// as it is (a fax-shaped TIFF passes untouched). Throws as convert_document,
// and FaxError(BadDocument) for an unknown cover page template or a client's
// own that check_personal_cover_page refuses or librsvg cannot draw.
ConversionResult convert_submission(const SubmissionRequest& request, std::stop_token stop = {});

}  // namespace faxemu
