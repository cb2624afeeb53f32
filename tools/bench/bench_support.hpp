// What the benchmark programs share, so each main says only what it measures:
// process CPU time, medians and percentiles, the start of a benchmark that
// sends a document (its options, the document fax-shaped in a work folder),
// and the floor: two bare spandsp terminals back to back.
#pragma once

#include <fmt/format.h>
#include <spandsp.h>
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

#include "core/audio_fax_channel.hpp"
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

// The floor: two spandsp fax terminals wired back to back, nothing else; one
// 20 ms block each way per step(), so a benchmark can interleave many pairs.
class FloorPair {
  public:
    FloorPair(const std::filesystem::path& doc, const std::filesystem::path& rx, bool ecm) {
        for (Side* s : {&a_, &b_}) {
            s->fax = fax_init(nullptr, s == &a_ ? TRUE : FALSE);
            fax_set_transmit_on_idle(s->fax, TRUE);
            t30_state_t* t30 = fax_get_t30_state(s->fax);
            configure(t30, s == &a_ ? "BENCH A" : "BENCH B", ecm);
            t30_set_phase_e_handler(t30, on_phase_e, s);
        }
        t30_set_tx_file(fax_get_t30_state(a_.fax), doc.c_str(), -1, -1);
        t30_set_rx_file(fax_get_t30_state(b_.fax), rx.c_str(), -1);
        t30_set_rx_encoding(fax_get_t30_state(b_.fax), T4_COMPRESSION_ITU_T6);
    }
    ~FloorPair() {
        fax_free(a_.fax);
        fax_free(b_.fax);
    }
    FloorPair(const FloorPair&) = delete;
    FloorPair& operator=(const FloorPair&) = delete;

    // Both ends have ended the call (or it ran an hour of line time).
    bool done() const { return (a_.done && b_.done) || blocks_ >= 500L * 60 * 60; }
    void step() {
        int16_t abuf[kBlockSamples], bbuf[kBlockSamples];
        int n = fax_tx(a_.fax, abuf, kBlockSamples);
        std::fill(abuf + std::max(n, 0), abuf + kBlockSamples, int16_t{0});
        n = fax_tx(b_.fax, bbuf, kBlockSamples);
        std::fill(bbuf + std::max(n, 0), bbuf + kBlockSamples, int16_t{0});
        fax_rx(a_.fax, bbuf, kBlockSamples);
        fax_rx(b_.fax, abuf, kBlockSamples);
        ++blocks_;
    }
    double line_seconds() const {
        return static_cast<double>(blocks_) * kBlockSamples / kSampleRate;
    }
    int pages_received() const { return b_.pages; }

  private:
    struct Side {
        fax_state_t* fax = nullptr;
        bool done = false;
        int pages = 0;
    };
    static void on_phase_e(t30_state_t* t30, void* user, int) {
        auto* side = static_cast<Side*>(user);
        t30_stats_t st;
        t30_get_transfer_statistics(t30, &st);
        side->pages = std::max(st.pages_tx, st.pages_rx);
        side->done = true;
    }
    static void configure(t30_state_t* t30, const char* ident, bool ecm) {
        t30_set_tx_ident(t30, ident);
        t30_set_ecm_capability(t30, ecm ? TRUE : FALSE);
        t30_set_supported_modems(t30, T30_SUPPORT_V17 | T30_SUPPORT_V29 | T30_SUPPORT_V27TER);
        t30_set_supported_compressions(t30, T30_SUPPORT_T4_1D_COMPRESSION |
                                                T30_SUPPORT_T4_2D_COMPRESSION |
                                                (ecm ? T30_SUPPORT_T6_COMPRESSION : 0));
        t30_set_supported_resolutions(
            t30, T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION |
                     T30_SUPPORT_SUPERFINE_RESOLUTION | T30_SUPPORT_R8_RESOLUTION);
        t30_set_supported_image_sizes(t30,
                                      T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH |
                                          T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_215MM_WIDTH |
                                          T30_SUPPORT_255MM_WIDTH | T30_SUPPORT_303MM_WIDTH);
    }

    Side a_, b_;
    long blocks_ = 0;
};

}  // namespace faxemu::bench
