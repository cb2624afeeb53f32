// What the benchmark programs share, so each main says only what it measures:
// process CPU time, medians and percentiles, and the start of a benchmark that
// sends a document (its options, the document fax-shaped in a work folder).
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/documents/document.hpp"

namespace faxemu::bench {

// CPU seconds this process has used (all threads).
inline double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The value below which a share `p` (0..1) of `v` lies; 0 for no values.
inline double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

inline double median(std::vector<double> v) {
    return percentile(std::move(v), 0.5);
}

// A fresh folder under the temporary folder named `prefix`-XXXXXX; empty if none could be made.
inline std::filesystem::path make_work_folder(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) return {};
    return tmpl;
}

// The document a benchmark sends, fax-shaped in its work folder.
struct SendDocument {
    std::filesystem::path work;
    std::filesystem::path fax;  // work/doc.tif
    int pages = 0;
};

// The start of a benchmark that sends a document: its command line (the
// document, ECM, and whatever the benchmark adds to `app`) and the document
// made fax-shaped in a fresh work folder.
class SendBench {
  public:
    SendBench(const std::string& description, std::string work_prefix)
        : app(description), prefix_(std::move(work_prefix)) {
        app.add_option("document", document, "the document to send")->check(CLI::ExistingFile);
        app.add_option("--ecm", ecm, "error correction mode on both sides");
    }

    // A whole-number option of the benchmark's own, from `low` to `high`.
    void add_count(const std::string& name, int& value, const std::string& what, int low,
                   int high) {
        app.add_option(name, value, what)->check(CLI::Range(low, high));
    }

    // Parses the command line, prepares the document and says which it is; the exit code to
    // return at once when the benchmark must not run (help, bad options, no folder).
    std::optional<int> start(int argc, char** argv) {
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            return app.exit(e);
        }
        spdlog::set_level(spdlog::level::warn);
        work = make_work_folder(prefix_);
        if (work.empty()) return 2;
        Document doc = Document::open(document);
        fax = work / "doc.tif";
        doc.write_fax_tiff(fax);
        pages = static_cast<int>(doc.page_count());
        fmt::print("document: {} ({} pages), ECM {}\n", document, pages, ecm ? "on" : "off");
        return std::nullopt;
    }

    CLI::App app;
    std::string document =
        std::string(FAXEMU_SOURCE_DIR) + "/fixtures/documents/letter-fine-mmr.tif";
    bool ecm = false;
    std::filesystem::path work;  // removed by the benchmark when it is done
    std::filesystem::path fax;   // work/doc.tif
    int pages = 0;

  private:
    std::string prefix_;
};

}  // namespace faxemu::bench
