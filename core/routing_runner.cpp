#include "core/routing_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/client_text.hpp"
#include "core/error.hpp"
#include "core/routing_placeholders.hpp"
#include "core/routing_target.hpp"

extern char** environ;

namespace faxemu {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kCaptureLimit = 4096;  // kept per output stream of a child
constexpr std::size_t kDetailOutput = 500;   // of that, shown in a failure's detail
constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kWriteChunk = 64 * 1024;
// A child that ignores SIGTERM gets SIGKILL this long after it.
constexpr auto kTermGrace = std::chrono::seconds{2};
// Without pidfd (kernel < 5.3) exit is noticed by polling at this interval.
constexpr auto kReapPoll = std::chrono::milliseconds{20};
constexpr auto kMaxPollWait = std::chrono::milliseconds{60'000};
constexpr int kMaxNameTries = 1000;
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

// A method failed for the reason in what(); run() adds the method and fax id.
class Failure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::string errno_text(int err) {
    return std::error_code(err, std::generic_category()).message();
}

[[noreturn]] void fail_errno(const std::string& what, int err) {
    throw Failure(what + ": " + errno_text(err));
}

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_ = -1;
};

// ---- text and time ----------------------------------------------------------

// Caller-supplied text (TSID, caller id) and config values end up in mail
// headers: only printable ASCII survives, so nothing can add a header line.
std::string printable(std::string_view s, std::size_t max = 200) {
    std::string out;
    for (char c : s) {
        if (out.size() >= max) break;
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::tm utc(TimePoint tp) {
    const std::time_t t = std::chrono::floor<std::chrono::seconds>(tp).time_since_epoch().count();
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    return tm;
}

// The moment the fax was received: its end when known, else the call's start.
TimePoint received_at(const ReceivedFax& fax) {
    return fax.end.value_or(fax.start);
}

std::string iso8601(TimePoint tp) {
    const auto tm = utc(tp);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string compact_stamp(TimePoint tp) {
    const auto tm = utc(tp);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// RFC 5322 date. Names spelt out here: strftime's %a/%b follow the locale.
std::string rfc5322_date(TimePoint tp) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto tm = utc(tp);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7],
                  tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

// Unguessable enough that caller-supplied text cannot contain the MIME boundary.
std::string random_token() {
    static std::atomic<std::uint64_t> serial{0};
    std::uint64_t v = static_cast<std::uint64_t>(SteadyClock::now().time_since_epoch().count()) ^
                      (static_cast<std::uint64_t>(::getpid()) << 40) ^
                      (serial.fetch_add(1) * 0x9e3779b97f4a7c15ULL);
    try {
        std::random_device rd;
        v ^= (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    } catch (const std::exception&) {
        // No entropy source: the mix above still keeps tokens distinct.
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string host_name() {
    char buf[256] = {};
    std::string out;
    if (::gethostname(buf, sizeof buf - 1) == 0) {
        for (const char* p = buf; *p; ++p) {
            const char c = *p;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-')
                out += c;
        }
    }
    return out.empty() ? "localhost" : out;
}

// Base64 in lines of 76 characters (RFC 2045).
std::string base64_lines(std::string_view data) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(data.size() / 57 * 78 + 80);
    std::size_t line = 0;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const auto byte = [&](std::size_t k) -> std::uint32_t {
            return k < data.size() ? static_cast<unsigned char>(data[k]) : 0;
        };
        const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
        line += 4;
        if (line == 76) {
            out += '\n';
            line = 0;
        }
    }
    if (line != 0) out += '\n';
    return out;
}

// ---- files ------------------------------------------------------------------

std::string read_whole(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail_errno("cannot open the fax's file", errno);
    std::string out;
    char buf[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("cannot read the fax's file", errno);
        }
        if (n == 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

void copy_all(int from, AtomicFile& to) {
    std::uint8_t buf[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(from, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("cannot read the fax's file", errno);
        }
        if (n == 0) return;
        to.write({buf, static_cast<std::size_t>(n)});
    }
}

// Whether the regular file `name` in `dir` holds exactly what `src` holds
// (read from its start). A symlink or anything else is never the same.
bool same_content(int dir, const std::string& name, int src) {
    Fd existing(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!existing) return false;
    struct stat a {
    }, b{};
    if (::fstat(existing.get(), &a) != 0 || ::fstat(src, &b) != 0 || !S_ISREG(a.st_mode) ||
        a.st_size != b.st_size)
        return false;
    if (::lseek(src, 0, SEEK_SET) != 0) return false;
    const auto read_some = [](int fd, char* buf, std::size_t size) {
        ssize_t n;
        do n = ::read(fd, buf, size);
        while (n < 0 && errno == EINTR);
        return n;
    };
    char x[64 * 1024], y[64 * 1024];
    bool same = true;
    for (;;) {
        const ssize_t n = read_some(src, x, sizeof x);
        if (n <= 0) {
            same = n == 0 && read_some(existing.get(), y, 1) == 0;
            break;
        }
        ssize_t got = 0;
        while (got < n) {
            const ssize_t m = read_some(existing.get(), y + got, static_cast<std::size_t>(n - got));
            if (m <= 0) break;
            got += m;
        }
        if (got != n || std::memcmp(x, y, static_cast<std::size_t>(n)) != 0) {
            same = false;
            break;
        }
    }
    ::lseek(src, 0, SEEK_SET);
    return same;
}

// ---- child processes --------------------------------------------------------

struct ChildResult {
    int spawn_error = 0;     // posix_spawn's error: the program never ran
    bool timed_out = false;  // it was sent SIGTERM at the deadline
    bool killed = false;     // ... and needed SIGKILL too
    bool lost = false;       // reaped by someone else (SIGCHLD ignored): status unknown
    bool input_cut = false;  // it exited before taking all of its stdin
    int status = 0;          // from waitpid
    std::string out, err;    // the first kCaptureLimit bytes of each
};

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        fail_errno("cannot set up a pipe", errno);
}

// Reads what is available (at most `max_reads` chunks, so a child that writes
// without pause cannot keep us here); false once the stream is finished.
bool read_some(int fd, std::string& into, int max_reads) {
    char buf[kReadChunk];
    for (int i = 0; i < max_reads; ++i) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            // Beyond the limit output is read and dropped, so the child never
            // blocks on a full pipe.
            const auto keep = std::min(static_cast<std::size_t>(n), kCaptureLimit - into.size());
            into.append(buf, keep);
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
}

// Waits for `pid`, retrying on EINTR; false if it was reaped elsewhere.
bool reap(pid_t pid, int& status) {
    for (;;) {
        if (::waitpid(pid, &status, 0) == pid) return true;
        if (errno != EINTR) return false;
    }
}

// Whether `pid` has ended, without reaping it: its process group stays valid
// for a last kill of whatever it left behind.
bool has_exited(pid_t pid) {
    siginfo_t info{};
    for (;;) {
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0)
            return info.si_pid == pid;
        if (errno != EINTR) return true;  // ECHILD: gone already; reap() will say so
    }
}

class SpawnSetup {
  public:
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions_);
        ::posix_spawnattr_init(&attr_);
    }
    ~SpawnSetup() {
        ::posix_spawnattr_destroy(&attr_);
        ::posix_spawn_file_actions_destroy(&actions_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    static void check(int rc) {
        if (rc != 0) fail_errno("cannot prepare a child process", rc);
    }
    posix_spawn_file_actions_t actions_;
    posix_spawnattr_t attr_;
};

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// A started child's ends of its pipes (stdin only when it has input).
struct SpawnedChild {
    pid_t pid = -1;
    int spawn_error = 0;  // posix_spawn's error; then nothing else is set
    Fd out_r, err_r, in_w;
};

// Starts `program` (argv[0] when null, looked up in PATH when it has no '/')
// with `argv` and stdin from a socket when `with_input` (else /dev/null),
// stdout and stderr into pipes, every other fd closed, its own process group
// (so a timeout kills what it started too), default signal handling and an
// empty signal mask whatever the calling thread has. `env` null: faxd's
// environment.
SpawnedChild spawn_child(const std::vector<std::string>& argv, const std::vector<std::string>* env,
                         bool with_input, const std::string* program) {
    SpawnedChild child;
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("cannot create a pipe", errno);
    Fd out_r(p[0]), out_w(p[1]);
    if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("cannot create a pipe", errno);
    Fd err_r(p[0]), err_w(p[1]);
    // stdin is a socket so that writing to a child that quit early gives EPIPE
    // (MSG_NOSIGNAL) instead of a process-wide SIGPIPE.
    Fd in_w, in_r;
    if (with_input) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0)
            fail_errno("cannot create a socket pair", errno);
        in_w = Fd(p[0]);
        in_r = Fd(p[1]);
        set_nonblocking(in_w.get());
    }
    set_nonblocking(out_r.get());
    set_nonblocking(err_r.get());

    SpawnSetup s;
    if (with_input)
        SpawnSetup::check(::posix_spawn_file_actions_adddup2(&s.actions_, in_r.get(), 0));
    else
        SpawnSetup::check(
            ::posix_spawn_file_actions_addopen(&s.actions_, 0, "/dev/null", O_RDONLY, 0));
    SpawnSetup::check(::posix_spawn_file_actions_adddup2(&s.actions_, out_w.get(), 1));
    SpawnSetup::check(::posix_spawn_file_actions_adddup2(&s.actions_, err_w.get(), 2));
    // Ours are O_CLOEXEC; this also closes fds other code opened without it.
    SpawnSetup::check(::posix_spawn_file_actions_addclosefrom_np(&s.actions_, 3));
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    SpawnSetup::check(::posix_spawnattr_setsigmask(&s.attr_, &none));
    SpawnSetup::check(::posix_spawnattr_setsigdefault(&s.attr_, &all));
    SpawnSetup::check(::posix_spawnattr_setpgroup(&s.attr_, 0));
    SpawnSetup::check(::posix_spawnattr_setflags(
        &s.attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

    auto args = c_strings(argv);
    std::vector<char*> envp;
    if (env) envp = c_strings(*env);
    const int rc = ::posix_spawnp(&child.pid, program ? program->c_str() : args[0], &s.actions_,
                                  &s.attr_, args.data(), env ? envp.data() : environ);
    if (rc != 0) {
        child.spawn_error = rc;
        return child;
    }
    child.out_r = std::move(out_r);
    child.err_r = std::move(err_r);
    child.in_w = std::move(in_w);
    return child;
}

// Feeds the child its input and collects its output until it ends, or until
// `timeout`: then SIGTERM to its group, and SIGKILL after kTermGrace.
void supervise_child(SpawnedChild& child, const std::string* input, std::chrono::seconds timeout,
                     ChildResult& result) {
    const pid_t pid = child.pid;
    Fd& out_r = child.out_r;
    Fd& err_r = child.err_r;
    Fd& in_w = child.in_w;
    std::size_t written = 0;
    if (input && input->empty()) in_w.reset();
    // Our own unreaped child: its pid cannot be reused, so pidfd_open is race-free.
    // Raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C" and so cannot
    // be linked from C++.
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    auto deadline = SteadyClock::now() + timeout;

    for (;;) {
        const auto now = SteadyClock::now();
        if (now >= deadline) {
            if (!result.timed_out) {
                ::kill(-pid, SIGTERM);
                result.timed_out = true;
                deadline = now + kTermGrace;
            } else {
                ::kill(-pid, SIGKILL);
                result.killed = true;
                result.lost = !reap(pid, result.status);
                break;
            }
        }
        pollfd fds[4];
        nfds_t n = 0;
        const auto add = [&](const Fd& fd, short events) {
            if (!fd) return -1;
            fds[n] = pollfd{fd.get(), events, 0};
            return static_cast<int>(n++);
        };
        const int i_out = add(out_r, POLLIN);
        const int i_err = add(err_r, POLLIN);
        const int i_in = add(in_w, POLLOUT);
        const int i_pid = add(pidfd, POLLIN);
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
        // Clamped so a huge program_timeout cannot overflow poll's int.
        wait = std::clamp<std::chrono::milliseconds>(wait, std::chrono::milliseconds{0},
                                                     pidfd ? kMaxPollWait : kReapPoll);
        const int ready = ::poll(fds, n, static_cast<int>(wait.count()));
        if (ready < 0 && errno != EINTR) {
            // Should not happen; never leave the child behind.
            ::kill(-pid, SIGKILL);
            result.killed = true;
            result.lost = !reap(pid, result.status);
            break;
        }
        if (ready > 0) {
            if (i_out >= 0 && fds[i_out].revents != 0 && !read_some(out_r.get(), result.out, 16))
                out_r.reset();
            if (i_err >= 0 && fds[i_err].revents != 0 && !read_some(err_r.get(), result.err, 16))
                err_r.reset();
            if (i_in >= 0 && fds[i_in].revents != 0) {
                const auto chunk = std::min(kWriteChunk, input->size() - written);
                const ssize_t w =
                    ::send(in_w.get(), input->data() + written, chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w > 0) {
                    written += static_cast<std::size_t>(w);
                    if (written == input->size()) in_w.reset();  // EOF for the child
                } else if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
                    in_w.reset();  // it closed its stdin or exited
                }
            }
        }
        if ((!pidfd || (i_pid >= 0 && fds[i_pid].revents != 0)) && has_exited(pid)) {
            // A timed-out program may leave children behind in its group.
            if (result.timed_out) ::kill(-pid, SIGKILL);
            result.lost = !reap(pid, result.status);
            break;
        }
    }
    // What the child wrote before it ended is still in the pipes. Descendants
    // may hold them open, so take only what is there now.
    if (out_r) read_some(out_r.get(), result.out, 256);
    if (err_r) read_some(err_r.get(), result.err, 256);
    result.input_cut = input && written < input->size();
}

// Runs a program as spawn_child describes, with stdin from `input` (or
// /dev/null when null), its output captured, within `timeout`.
ChildResult run_child(const std::vector<std::string>& argv, const std::vector<std::string>* env,
                      const std::string* input, std::chrono::seconds timeout,
                      const std::string* program = nullptr) {
    ChildResult result;
    SpawnedChild child = spawn_child(argv, env, input != nullptr, program);
    if (child.spawn_error != 0) {
        result.spawn_error = child.spawn_error;
        return result;
    }
    supervise_child(child, input, timeout, result);
    return result;
}

// One line of a child's output for a detail message.
std::string output_excerpt(const ChildResult& r) {
    const std::string& text = r.err.empty() ? r.out : r.err;
    std::string out;
    for (char c : std::string_view(text).substr(0, kDetailOutput)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    const auto last = out.find_last_not_of(' ');
    out.erase(last == std::string::npos ? 0 : last + 1);
    const auto first = out.find_first_not_of(' ');
    return first == std::string::npos ? std::string{} : out.substr(first);
}

// Why the run failed, or empty if it exited 0.
std::string child_problem(const std::string& program, const ChildResult& r,
                          std::chrono::seconds timeout) {
    std::string why;
    if (r.spawn_error == ENOENT) return "program " + program + " not found";
    if (r.spawn_error != 0) return "cannot run " + program + ": " + errno_text(r.spawn_error);
    if (r.timed_out) {
        why = program + " timed out after " + std::to_string(timeout.count()) + " s; killed with " +
              (r.killed ? "SIGTERM, then SIGKILL" : "SIGTERM");
    } else if (r.lost) {
        why = program + " ended with an unknown status (reaped elsewhere)";
    } else if (WIFSIGNALED(r.status)) {
        const int sig = WTERMSIG(r.status);
        const char* abbrev = ::sigabbrev_np(sig);
        why = program + " was killed by signal " + std::to_string(sig) +
              (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string{});
    } else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0) {
        why = program + " exited with status " + std::to_string(WEXITSTATUS(r.status));
    } else if (r.input_cut) {
        why = program + " exited before reading all of its input";
    } else {
        return {};
    }
    const auto excerpt = output_excerpt(r);
    if (!excerpt.empty()) why += ": " + excerpt;
    return why;
}

// What the placeholders of a command line stand for (routing_placeholders.hpp).
RoutingPlaceholders placeholders_of(const ReceivedFax& fax) {
    return {{"{file}", fax.file},
            {"{id}", std::to_string(fax.id)},
            {"{pages}", std::to_string(fax.pages)},
            {"{port}", fax.port_name},
            {"{device_id}", std::to_string(fax.device_id)},
            {"{csid}", fax.csid},
            {"{received}", iso8601(received_at(fax))}};
}

// A child's output may quote the file it was given ({file}, FAX_FILE).
std::string without_fax_path(std::string detail, const ReceivedFax& fax) {
    return replace_all(std::move(detail), fax.file, "fax " + std::to_string(fax.id) + "'s file");
}

// The fax as `format`: its own file for TIFF, else a copy made by the
// configuration's export_fax in its work_dir, removed when this goes.
class FaxInFormat {
  public:
    FaxInFormat(const RoutingConfig& config, const ReceivedFax& fax, FaxFileFormat format) {
        if (format == FaxFileFormat::Tiff) {
            path_ = fax.file;
            return;
        }
        const std::string name(format_name(format));
        if (!config.export_fax) throw Failure("faxd cannot make " + name + " files here");
        static std::atomic<unsigned> serial{0};
        const auto dir =
            config.work_dir.empty() ? std::filesystem::temp_directory_path() : config.work_dir;
        path_ =
            (dir / (".route-" + std::to_string(fax.id) + "-" + std::to_string(::getpid()) + "-" +
                    std::to_string(serial.fetch_add(1)) + std::string(file_extension(format))))
                .string();
        owned_ = true;
        try {
            config.export_fax(fax.file, format, path_);
        } catch (const std::exception& e) {
            throw Failure("cannot make the fax a " + name + ": " +
                          replace_all(e.what(), path_, "the " + name));
        }
    }
    ~FaxInFormat() {
        std::error_code ignored;
        if (owned_) std::filesystem::remove(path_, ignored);
    }
    FaxInFormat(const FaxInFormat&) = delete;
    FaxInFormat& operator=(const FaxInFormat&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string path_;
    bool owned_ = false;
};

// From, To, Subject, Date, Message-ID (`tag` in its local part) and
// MIME-Version, each line printable ASCII only (printable()), so no text can add a header.
std::string mail_headers(const std::string& from, const std::string& to, const std::string& subject,
                         const std::string& tag) {
    const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    std::string m;
    m += "From: " + printable(from) + "\n";
    m += "To: " + printable(to) + "\n";
    m += "Subject: " + printable(subject) + "\n";
    m += "Date: " + rfc5322_date(now) + "\n";
    m += "Message-ID: <faxemu." + printable(tag) + "." + random_token() + "@" + host_name() + ">\n";
    m += "MIME-Version: 1.0\n";
    return m;
}

std::string path_variable() {
    const char* path = std::getenv("PATH");
    return (path && *path) ? path : kDefaultPath;
}

}  // namespace

RoutingRunner::RoutingRunner(RoutingConfig config)
    : config_(std::move(config)), programs_(config_.allowed_programs) {}

RoutingRun RoutingRunner::run(RoutingKind kind, const std::string& routing_data,
                              const ReceivedFax& fax) const {
    const RoutingMethodInfo* info = nullptr;
    for (const auto& m : standard_routing_methods())
        if (m.kind == kind) info = &m;
    const std::string prefix = std::string(info ? info->friendly_name : "Routing") + " for fax " +
                               std::to_string(fax.id) + ": ";
    try {
        if (routing_data.empty()) throw Failure("no RoutingData set");
        // Stored settings may have been edited by hand: the same rules as put_RoutingData.
        if (info)
            RoutingMethod(*info, fax.device_id, fax.port_name, {}, &programs_)
                .validate(routing_data);
        struct stat st {};
        if (fax.file.empty()) throw Failure("the fax has no file");
        if (::stat(fax.file.c_str(), &st) != 0) fail_errno("the fax's file", errno);
        if (!S_ISREG(st.st_mode)) throw Failure("the fax's file is not a regular file");
        const RoutingTarget target = parse_routing_target(kind, routing_data);
        switch (kind) {
            case RoutingKind::Folder:
                return to_folder(target.destination, target.format, fax);
            case RoutingKind::Email:
                return to_email(target.destination, target.format, fax);
            case RoutingKind::Print:
                return to_printer(routing_data, fax);
            case RoutingKind::RunProgram:
                return to_program(routing_data, fax);
        }
        throw Failure("unknown routing method");
    } catch (const Failure& e) {
        return {false, without_fax_path(prefix + e.what(), fax)};
    } catch (const FaxError& e) {
        return {false, without_fax_path(prefix + "refused RoutingData (" + e.what() + ")", fax)};
    } catch (const std::exception& e) {
        return {false, without_fax_path(prefix + "unexpected error: " + e.what(), fax)};
    }
}

RoutingRun RoutingRunner::to_folder(const std::string& folder, FaxFileFormat format,
                                    const ReceivedFax& fax) const {
    // Everything below goes through this descriptor, so swapping the folder
    // for a symlink half way changes nothing.
    Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        const int err = errno;
        if (err == ENOENT) throw Failure("folder " + folder + " does not exist");
        if (err == ENOTDIR) throw Failure(folder + " is not a directory");
        fail_errno("cannot open folder " + folder, err);
    }
    std::string base = folder;
    if (std::unique_ptr<char, decltype(&std::free)> real(::realpath(folder.c_str(), nullptr),
                                                         &std::free);
        real)
        base = real.get();
    if (base.empty() || base.back() != '/') base += '/';

    const FaxInFormat copy(config_, fax, format);
    const std::string extension(file_extension(format));
    Fd src(::open(copy.path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!src) fail_errno("cannot open the fax's file", errno);

    // Run again after a crash between the copy and its record: the copy made
    // then is this one, not a reason for a second.
    const std::string id = std::to_string(fax.id);
    const std::string stem = "fax-" + id + "-" + compact_stamp(received_at(fax));
    const auto name_for = [&](int n) {
        return stem + (n == 1 ? "" : "-" + std::to_string(n)) + extension;
    };
    for (int n = 1; n <= kMaxNameTries; ++n) {
        const std::string name = name_for(n);
        if (same_content(dir.get(), name, src.get())) return {true, base + name};
        if (::faccessat(dir.get(), name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) != 0) break;
    }

    // Written under a hidden temporary name first, so a folder watcher never
    // sees a half-written fax; never replaces a file, so two runs (or a
    // planted symlink) can never overwrite one another.
    try {
        const std::string name = store_under_free_name(
            dir.get(), base, "fax-" + id, config_.file_mode,
            [&](AtomicFile& file) { copy_all(src.get(), file); }, name_for, kMaxNameTries);
        return {true, base + name};
    } catch (const FaxError& e) {
        throw Failure(e.what());
    }
}

int RoutingRunner::remove_stale_temporaries(const std::string& folder) {
    std::error_code error;
    std::filesystem::directory_iterator it(folder, error);
    if (error) return 0;
    int removed = 0;
    for (const auto& entry : it) {
        const auto pid = AtomicFile::temporary_owner(entry.path().filename().string());
        if (!pid || *pid == ::getpid() || ::kill(*pid, 0) == 0 || errno != ESRCH) continue;
        std::error_code ignored;
        if (std::filesystem::remove(entry.path(), ignored)) ++removed;
    }
    return removed;
}

RoutingRun RoutingRunner::to_email(const std::string& address, FaxFileFormat format,
                                   const ReceivedFax& fax) const {
    if (config_.sendmail.empty()) throw Failure("no mailer configured");
    const std::string file = read_whole(FaxInFormat(config_, fax, format).path());

    const std::string ident = printable(fax.remote_ident);
    const std::string caller = printable(fax.caller_id);
    const std::string sender = !ident.empty() ? ident : !caller.empty() ? caller : "unknown";
    const std::string pages = std::to_string(fax.pages) + (fax.pages == 1 ? " page" : " pages");
    const std::string boundary = "faxemu-" + random_token() + random_token();
    const std::string id = std::to_string(fax.id);
    const std::string attachment = "fax-" + id + std::string(file_extension(format));

    std::string m;
    m.reserve(file.size() * 4 / 3 + file.size() / 38 + 2048);
    m += mail_headers(config_.mail_from, address, "Fax from " + sender + " (" + pages + ")", id);
    m += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n";
    m += "\nThis is a MIME message with the received fax attached.\n";
    m += "\n--" + boundary + "\n";
    m += "Content-Type: text/plain; charset=us-ascii\n";
    m += "Content-Transfer-Encoding: 7bit\n\n";
    m += "A fax was received.\n\n";
    m += "Port:      " + printable(fax.port_name) + " (device " + std::to_string(fax.device_id) +
         ")\n";
    m += "Pages:     " + std::to_string(fax.pages) + "\n";
    m += "Sender ID: " + (ident.empty() ? std::string("(none)") : ident) + "\n";
    m += "Caller ID: " + (caller.empty() ? std::string("(none)") : caller) + "\n";
    m += "Received:  " + iso8601(received_at(fax)) + "\n";
    m += "Fax ID:    " + id + "\n";
    if (fax.partial) m += "\nThe call failed part way: only the whole pages were kept.\n";
    m += "\n--" + boundary + "\n";
    m += "Content-Type: " + std::string(mime_type(format)) + "; name=\"" + attachment + "\"\n";
    m += "Content-Transfer-Encoding: base64\n";
    m += "Content-Disposition: attachment; filename=\"" + attachment + "\"\n\n";
    m += base64_lines(file);
    m += "\n--" + boundary + "--\n";

    send_with_mailer(address, m);
    return {true, "mailed to " + address};
}

void RoutingRunner::send_with_mailer(const std::string& address, const std::string& message) const {
    if (config_.sendmail.empty()) throw Failure("no mailer configured");
    const auto r = run_child(config_.sendmail, nullptr, &message, config_.program_timeout);
    if (auto why = child_problem(config_.sendmail.front(), r, config_.program_timeout);
        !why.empty())
        throw Failure("mail to " + address + " failed: " + why);
}

RoutingRun RoutingRunner::mail(const std::string& address, const std::string& subject,
                               const std::string& text) const {
    try {
        std::string m = mail_headers(config_.mail_from, address, subject, "notice");
        m += "Content-Type: text/plain; charset=utf-8\n";
        m += "Content-Transfer-Encoding: 8bit\n\n";
        // A line of a lone "." ends the message for mailers run without -oi.
        std::string body = replace_all(text, "\n.\n", "\n..\n");
        if (body.empty() || body.back() != '\n') body += '\n';
        send_with_mailer(address, m + body);
        return {true, "mailed to " + address};
    } catch (const std::exception& e) {
        return {false, e.what()};
    }
}

RoutingRun RoutingRunner::to_printer(const std::string& printer, const ReceivedFax& fax) const {
    if (config_.print_command.empty()) throw Failure("no print command configured");
    RoutingPlaceholders values = placeholders_of(fax);
    values.emplace_back("{printer}", printer);
    const std::vector<std::string> argv = fill_placeholders(config_.print_command, values);
    const auto r = run_child(argv, nullptr, nullptr, config_.program_timeout);
    if (auto why = child_problem(argv.front(), r, config_.program_timeout); !why.empty())
        throw Failure("printing on " + printer + " failed: " + why);
    return {true, "printed on " + printer};
}

RoutingRun RoutingRunner::to_program(const std::string& command, const ReceivedFax& fax) const {
    std::vector<std::string> argv;
    std::size_t pos = 0;
    while (pos < command.size()) {
        const auto start = command.find_first_not_of(' ', pos);
        if (start == std::string::npos) break;
        auto end = command.find(' ', start);
        if (end == std::string::npos) end = command.size();
        argv.push_back(command.substr(start, end - start));
        pos = end;
    }
    if (argv.empty()) throw Failure("no program given");
    // Checked again here: the allow-list may have changed since RoutingData was set.
    std::string why;
    const std::string program = programs_.resolve(argv.front(), why).string();
    if (program.empty()) throw Failure(why);
    // The fax file last, unless the arguments say where it goes.
    if (!names_placeholder(argv, "{file}")) argv.push_back(fax.file);
    argv = fill_placeholders(std::move(argv), placeholders_of(fax));

    // The whole environment: faxd's own (credentials, tokens) stays out.
    const std::vector<std::string> env = {
        "FAX_FILE=" + fax.file,
        "FAX_PAGES=" + std::to_string(fax.pages),
        "FAX_SENDER_ID=" + fax.remote_ident,
        "FAX_CALLER_ID=" + fax.caller_id,
        "FAX_PORT=" + fax.port_name,
        "FAX_DEVICE_ID=" + std::to_string(fax.device_id),
        "FAX_ID=" + std::to_string(fax.id),
        "FAX_CSID=" + fax.csid,
        "FAX_RECEIVED=" + iso8601(received_at(fax)),
        std::string("FAX_PARTIAL=") + (fax.partial ? "1" : "0"),
        "PATH=" + path_variable(),
    };
    const auto r = run_child(argv, &env, nullptr, config_.program_timeout, &program);
    if (auto problem = child_problem(argv.front(), r, config_.program_timeout); !problem.empty())
        throw Failure(problem);
    return {true, "ran " + argv.front()};
}

}  // namespace faxemu
