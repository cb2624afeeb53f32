#include "core/documents/ghostscript.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/documents/conversion.hpp"
#include "core/error.hpp"

namespace faxemu {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string read_log(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return text.str().substr(0, 64 * 1024);
}

// Ghostscript's reports of progress, one line each in its log, written by the
// code that progress_hook() gives it.
constexpr std::string_view kPageDone = "faxemu: page done";
constexpr std::string_view kPageCount = "faxemu: pages ";

bool is_progress_line(const std::string& line) {
    return line.rfind("faxemu: ", 0) == 0;
}

// The most telling line of Ghostscript's messages: its first error, else its
// last line, without the spool paths it may quote.
std::string gs_reason(const std::string& log, const GhostscriptJob& job) {
    std::istringstream in(log);
    std::string line, first_error, last;
    while (std::getline(in, line)) {
        const auto start = line.find_first_not_of(" \t*");
        if (start == std::string::npos) continue;
        line = line.substr(start);
        for (const auto& p : {job.input.string(), job.output.string()})
            for (auto pos = line.find(p); !p.empty() && pos != std::string::npos;
                 pos = line.find(p))
                line.replace(pos, p.size(), "the document");
        if (is_progress_line(line)) continue;
        if (first_error.empty() && lower(line).find("error") != std::string::npos)
            first_error = line;
        last = line;
    }
    std::string reason = first_error.empty() ? last : first_error;
    if (reason.size() > 200) reason = reason.substr(0, 200) + "...";
    for (char& c : reason)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return reason;
}

// A PostScript string literal of `text`.
std::string ps_string(const std::string& text) {
    std::string out = "(";
    for (char c : text) {
        if (c == '(' || c == ')' || c == '\\') out += '\\';
        out += c;
    }
    return out + ")";
}

// PostScript run before the document: an EndPage procedure that reports each
// page output (and outputs it, as the default one does), and for a PDF its
// page count (nothing when the PDF cannot be opened: rendering it then says why).
std::string progress_hook(const GhostscriptJob& job) {
    std::string ps = "<< /EndPage { exch pop 2 ne dup { (%stderr) (w) file dup (" +
                     std::string(kPageDone) +
                     "\\n) writestring flushfile } if } bind >> setpagedevice";
    if (job.count_pages)
        ps += " { " + ps_string(job.input.string()) +
              " (r) file runpdfbegin pdfpagecount runpdfend (%stderr) (w) file dup (" +
              std::string(kPageCount) +
              ") writestring exch 20 string cvs writestring dup (\\n) writestring flushfile }"
              " stopped pop";
    return ps;
}

// Follows Ghostscript's log as it grows, telling the job of its progress lines.
class ProgressReader {
  public:
    explicit ProgressReader(const GhostscriptJob& job) : job_(job) {}

    void poll() {
        if (!job_.on_pages) return;
        std::ifstream in(job_.log, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        char buffer[4096];
        while (in.read(buffer, sizeof buffer), in.gcount() > 0) {
            offset_ += static_cast<std::uint64_t>(in.gcount());
            pending_.append(buffer, static_cast<std::size_t>(in.gcount()));
        }
        const std::int32_t done = done_;
        const auto total = total_;
        for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n')) {
            const std::string line = pending_.substr(0, end);
            pending_.erase(0, end + 1);
            if (line == kPageDone) {
                ++done_;
            } else if (line.rfind(kPageCount, 0) == 0) {
                const int n = std::atoi(line.c_str() + kPageCount.size());
                if (n > 0) total_ = n;
            }
        }
        if (pending_.size() > 4096) pending_.clear();   // a long line of the document's own
        if (total_ && done_ > *total_) total_.reset();  // a document that says otherwise
        if (done_ != done || total_ != total) job_.on_pages(done_, total_);
    }

  private:
    const GhostscriptJob& job_;
    std::uint64_t offset_ = 0;
    std::string pending_;
    std::int32_t done_ = 0;
    std::optional<std::int32_t> total_;
};

std::string dpi_arg(double x, double y) {
    std::ostringstream s;
    s << "-r" << std::lround(x) << "x" << std::lround(y);
    return s.str();
}

}  // namespace

std::string ghostscript_program() {
    const char* env = std::getenv("FAXEMU_GS");
    return env && *env ? env : "gs";
}

namespace {

std::vector<std::string> ghostscript_args(const GhostscriptJob& job) {
    std::vector<std::string> args = {
        ghostscript_program(),
        "-q",
        "-dSAFER",
        "-dBATCH",
        "-dNOPAUSE",
        "-dNOINTERPOLATE",
        "-sDEVICE=tiffg4",
        dpi_arg(job.x_dpi, job.y_dpi),
        // Full width: faxemu's TIFF code centres a Letter page's 1734 pels on
        // 1728 (gs would cut 6 on the right) and pads A4's 1686.
        "-dAdjustWidth=0",
        "-sPAPERSIZE=" + job.paper,
        "-sOutputFile=" + job.output.string(),
    };
    if (job.last_page > 0) args.push_back("-dLastPage=" + std::to_string(job.last_page));
    if (job.on_pages) {
        // Reading the document itself is all the count needs besides -dSAFER.
        if (job.count_pages) args.push_back("--permit-file-read=" + job.input.string());
        args.push_back("-c");
        args.push_back(progress_hook(job));
    }
    args.push_back("-f");
    args.push_back(job.input.string());
    return args;
}

// Starts Ghostscript in a process group of its own, its output into the job's
// log, within the job's CPU time and memory and without a network.
pid_t start_ghostscript(const GhostscriptJob& job, std::vector<std::string>& args) {
    // Everything the child needs is made before fork: after it, only
    // async-signal-safe calls.
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log_fd = ::open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0)
        throw FaxError(ErrorCode::Io,
                       job.log.string() + ": cannot create: " + std::strerror(errno));
    const auto seconds_left =
        std::chrono::duration_cast<std::chrono::seconds>(job.deadline - Clock::now());
    const rlim_t cpu = static_cast<rlim_t>(std::max<std::int64_t>(1, seconds_left.count() + 1));
    const rlim_t memory = static_cast<rlim_t>(job.memory_limit);

    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(log_fd);
        throw FaxError(ErrorCode::Io,
                       std::string("cannot start Ghostscript: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::setpgid(0, 0);  // so the whole group can be killed, helpers included
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        ::close_range(3, ~0U, 0);
        const rlimit cpu_limit{cpu, cpu + 1};
        ::setrlimit(RLIMIT_CPU, &cpu_limit);
        if (memory > 0) {
            const rlimit as_limit{memory, memory};
            ::setrlimit(RLIMIT_AS, &as_limit);
        }
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        // No network: an empty network namespace where faxd may make one (as
        // root); elsewhere -dSAFER already forbids opening anything but its files.
        (void)::unshare(CLONE_NEWNET);
        ::execvp(argv[0], argv.data());
        const char msg[] = "cannot run Ghostscript (gs): is it installed?\n";
        (void)!::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(log_fd);
    ::setpgid(pid, pid);  // also here, in case the parent is first to kill
    return pid;
}

struct GhostscriptExit {
    int status = 0;
    bool timed_out = false;
    bool cancelled = false;
};

// Waits for Ghostscript, reporting its progress; kills its group when the job
// is cancelled or its deadline passes.
GhostscriptExit wait_for_ghostscript(const GhostscriptJob& job, pid_t pid, std::stop_token stop) {
    GhostscriptExit exit;
    ProgressReader progress(job);
    for (auto wait = std::chrono::milliseconds(1);;) {
        const pid_t done = ::waitpid(pid, &exit.status, WNOHANG);
        if (done == pid) break;
        progress.poll();
        if (done < 0 && errno != EINTR) break;
        if (stop.stop_requested() || Clock::now() >= job.deadline) {
            exit.cancelled = stop.stop_requested();
            exit.timed_out = !exit.cancelled;
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &exit.status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        // Short at first so that a small document costs no waiting.
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::milliseconds(20));
    }
    return exit;
}

// Throws the error that says, in the user's terms, why Ghostscript made no
// pages of the document; returns when it made them.
void check_ghostscript_exit(const GhostscriptJob& job, const GhostscriptExit& exit) {
    const std::string quoted = "\"" + job.name + "\": ";
    const auto fail = [&](const std::string& reason) {
        return FaxError(ErrorCode::BadDocument, quoted + reason);
    };
    const int status = exit.status;
    const std::string log = read_log(job.log);
    const std::string said = lower(log);
    if (said.find("password") != std::string::npos)
        throw fail("is encrypted: it needs a password to open, so it cannot be faxed");
    if (exit.timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)) {
        const auto left = std::max<std::int64_t>(
            0,
            std::chrono::duration_cast<std::chrono::seconds>(job.deadline - Clock::now()).count());
        throw fail("Ghostscript did not finish rendering it within the time limit (" +
                   std::to_string(left) +
                   " s left of the conversion's limit); it may loop forever");
    }
    if (said.find("vmerror") != std::string::npos ||
        said.find("out of memory") != std::string::npos ||
        (WIFSIGNALED(status) && job.memory_limit > 0 &&
         (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGABRT)))
        throw fail("Ghostscript ran out of memory rendering it (the limit is " +
                   std::to_string(job.memory_limit >> 20) + " MiB)");
    if (WIFSIGNALED(status))
        throw fail("Ghostscript crashed rendering it (signal " + std::to_string(WTERMSIG(status)) +
                   ")");
    if (WEXITSTATUS(status) == 127)
        throw FaxError(ErrorCode::Io,
                       "cannot run Ghostscript (" + ghostscript_program() + "): is it installed?");
    if (WEXITSTATUS(status) != 0)
        throw fail("Ghostscript cannot render it: " + gs_reason(log, job));
    std::error_code ec;
    if (!std::filesystem::exists(job.output, ec) ||
        std::filesystem::file_size(job.output, ec) == 0) {
        const std::string why = gs_reason(log, job);
        throw fail("Ghostscript found no page to render in it" +
                   (why.empty() ? std::string() : ": " + why));
    }
}

}  // namespace

void render_with_ghostscript(const GhostscriptJob& job, std::stop_token stop) {
    std::vector<std::string> args = ghostscript_args(job);
    const pid_t pid = start_ghostscript(job, args);
    const GhostscriptExit exit = wait_for_ghostscript(job, pid, stop);
    if (exit.cancelled) throw ConversionCancelled();
    check_ghostscript_exit(job, exit);
}

}  // namespace faxemu
