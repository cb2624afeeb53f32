// tools/run bench: documents converted into fax pages (PDF, plain text, a
// photo), pages per second, beside the floor: bare Ghostscript rendering the
// same PDF to tiffg4 at the fax's resolution in the same run. Prints figures
// and the ratio to the floor (aim: at most 1.2); asserts nothing.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/documents/conversion.hpp"
#include "core/documents/ghostscript.hpp"
#include "tools/bench/bench_support.hpp"

namespace fs = std::filesystem;
using namespace faxemu;
using bench::median;

namespace {

constexpr double kAim = 1.2;

struct Cost {
    double wall = 0;  // seconds
    double cpu = 0;   // seconds, this process and the children it waited for
};

double cpu_seconds() {
    auto sum = [](int who) {
        rusage u{};
        getrusage(who, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
    };
    return sum(RUSAGE_SELF) + sum(RUSAGE_CHILDREN);
}

template <typename F>
Cost measure(F&& work) {
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    work();
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(),
            cpu_seconds() - cpu0};
}

int run(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

ConversionResult convert(const fs::path& input, const fs::path& work) {
    ConversionRequest r;
    r.input = input;
    r.name = input.filename().string();
    r.output = work / ("out-" + r.name + ".tif");
    r.work_dir = work / ("work-" + r.name);
    return convert_document(r);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faxemu-documents-bench: documents into fax pages, beside bare Ghostscript"};
    int copies = 10;
    int runs = 3;
    app.add_option("--copies", copies, "copies of the 2-page PDF in the benchmark's PDF");
    app.add_option("--runs", runs, "runs of each, the median is shown");
    CLI11_PARSE(app, argc, argv);

    const fs::path work =
        fs::temp_directory_path() / ("faxemu-documents-bench-" + std::to_string(getpid()));
    fs::create_directories(work);
    const fs::path fixtures = fs::path(FAXEMU_SOURCE_DIR) / "fixtures" / "documents";

    // The PDF: the rectangles fixture over and over, made by Ghostscript.
    const fs::path pdf = work / "many.pdf";
    std::vector<std::string> make = {
        ghostscript_program(),         "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
        "-sOutputFile=" + pdf.string()};
    for (int i = 0; i < copies; ++i) make.push_back((fixtures / "rects-letter.pdf").string());
    if (run(make) != 0) {
        fmt::print(stderr, "error: Ghostscript could not make the benchmark's PDF\n");
        return 1;
    }
    // Plain text: 20 full pages of 80 columns.
    const fs::path text = work / "notes.txt";
    {
        std::ofstream out(text);
        for (int page = 0; page < 20; ++page)
            for (int line = 0; line < 58; ++line)
                out << fmt::format(
                    "{:>4} The quick brown fox jumps over the lazy dog; 0123456789 "
                    "ABCDEFGHIJKLM\n",
                    page * 58 + line);
    }
    const fs::path photo = fixtures / "photo.jpg";

    std::vector<double> floor_wall, floor_cpu, pdf_wall, pdf_cpu, text_wall, photo_wall;
    int pdf_pages = 0, text_pages = 0, photo_pages = 0;
    for (int i = 0; i < runs; ++i) {
        const Cost floor = measure([&] {
            run({ghostscript_program(), "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOINTERPOLATE",
                 "-sDEVICE=tiffg4", "-r204x196", "-sOutputFile=" + (work / "floor.tif").string(),
                 "-f", pdf.string()});
        });
        floor_wall.push_back(floor.wall);
        floor_cpu.push_back(floor.cpu);
        const Cost c = measure([&] { pdf_pages = convert(pdf, work).page_count; });
        pdf_wall.push_back(c.wall);
        pdf_cpu.push_back(c.cpu);
        text_wall.push_back(measure([&] { text_pages = convert(text, work).page_count; }).wall);
        photo_wall.push_back(measure([&] { photo_pages = convert(photo, work).page_count; }).wall);
    }
    const double fw = median(floor_wall), pw = median(pdf_wall);
    fmt::print("PDF ({} pages), median of {} runs:\n", pdf_pages, runs);
    fmt::print("  floor, bare Ghostscript to tiffg4: {:.3f} s wall, {:.3f} s cpu, {:.1f} pages/s\n",
               fw, median(floor_cpu), pdf_pages / fw);
    fmt::print(
        "  faxemu's conversion:                {:.3f} s wall, {:.3f} s cpu, {:.1f} pages/s\n", pw,
        median(pdf_cpu), pdf_pages / pw);
    fmt::print("  ratio faxemu / floor (wall): {:.3f} (aim: at most {:.1f}){}\n", pw / fw, kAim,
               pw / fw <= kAim ? "" : "  ABOVE THE AIM");
    fmt::print("plain text ({} pages): {:.3f} s, {:.1f} pages/s\n", text_pages, median(text_wall),
               text_pages / median(text_wall));
    fmt::print("photo (JPEG, {} page): {:.3f} s, {:.1f} pages/s\n", photo_pages, median(photo_wall),
               photo_pages / median(photo_wall));
    std::error_code ignored;
    fs::remove_all(work, ignored);
    return 0;
}
