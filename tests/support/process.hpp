// Child processes for tests that drive the real binaries (faxd, faxctl):
// started with posix_spawn, no shell, output to files.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace faxemu::test {

class Process {
  public:
    // Starts argv[0] with stdout and stderr appended to `log`, stdin from
    // `input`; with `own_session`, in a session and process group of its own
    // (for daemons that fork helpers).
    Process(const std::vector<std::string>& argv, const std::filesystem::path& log,
            const std::vector<std::string>& extra_env = {}, bool own_session = false,
            const std::filesystem::path& input = "/dev/null") {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, input.c_str(), O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
        for (const std::string& e : extra_env) env_strings.push_back(e);
        std::vector<char*> envp;
        for (std::string& e : env_strings) envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        if (own_session) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
        const int rc = posix_spawn(&pid_, args[0], &fa, &attr, args.data(), envp.data());
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    }
    ~Process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) { ::kill(pid_, sig); }
    // True once it has exited (and is reaped); does not wait.
    bool exited() {
        if (pid_ <= 0) return true;
        if (::waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
        pid_ = -1;
        return true;
    }
    // Waits for the exit; returns the exit status, or 128 + signal.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

  private:
    pid_t pid_ = -1;
};

// Runs a command to completion, stdin from `input`; its output (stdout and
// stderr) in `output`.
inline int run(const std::vector<std::string>& argv, std::string& output,
               const std::filesystem::path& scratch, const std::vector<std::string>& extra_env = {},
               const std::filesystem::path& input = "/dev/null") {
    const auto log = scratch / ("run-" + std::to_string(::getpid()) + ".log");
    std::filesystem::remove(log);
    int rc;
    {
        Process p(argv, log, extra_env, false, input);
        rc = p.wait();
    }
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    output = ss.str();
    std::filesystem::remove(log);
    return rc;
}

inline std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Waits until `file` contains `text`, woken by inotify when the folder changes;
// false at the deadline.
inline bool wait_for_text(const std::filesystem::path& file, const std::string& text,
                          std::chrono::milliseconds deadline) {
    const int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0) return false;
    inotify_add_watch(fd, file.parent_path().c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE);
    const auto end = std::chrono::steady_clock::now() + deadline;
    bool found = false;
    while (!(found = read_text(file).find(text) != std::string::npos)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
            char buf[4096];
            while (::read(fd, buf, sizeof buf) > 0) {
            }
        }
    }
    ::close(fd);
    return found;
}

}  // namespace faxemu::test
