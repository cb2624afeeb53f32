// HylaFAX (Debian's 6.0.7) as a third-party fax peer in tests: unpacked into a
// private root (hylafax_root.sh), run with a private spool per test on one
// virtual modem: faxq, faxgetty and hfaxd, each in its own process group. Jobs go
// in through HylaFAX's own sendfax and hfaxd; the waits read HylaFAX's own done
// markers (doneq/qN for a send, the RECV record of log/xferfaxlog for a
// reception) with deadlines. The recipe, and why each setting is there:
// /work/shared/reference/hylafax-peer.md.
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"

namespace faxemu::test {

// The private root with HylaFAX unpacked (shared by every test and preset, made
// once), or nullopt with the reason in `why`.
inline std::optional<std::filesystem::path> hylafax_root(std::string& why) {
    if (::geteuid() != 0) {
        why = "HylaFAX's daemons switch to uucp and its spool is uucp's: the test needs root";
        return std::nullopt;
    }
    const auto dir = std::filesystem::path(FAXEMU_BINARY_DIR).parent_path() / "hylafax";
    const auto script =
        std::filesystem::path(FAXEMU_SOURCE_DIR) / "tests" / "support" / "hylafax_root.sh";
    std::filesystem::create_directories(dir);
    std::string out;
    const int rc = run({"/bin/sh", script.string(), dir.string()}, out, dir);
    if (rc != 0) {
        why = "HylaFAX is not available (" + script.string() + " exited " + std::to_string(rc) +
              "): " + out;
        return std::nullopt;
    }
    return dir / "root";
}

// Asks `done` every 100 ms until it holds or the deadline passes.
inline bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

class HylafaxPeer {
  public:
    struct Options {
        std::string modem_class = "1";  // "1", "2" or "2.0": HylaFAX's config/class* prototype
        bool ecm = true;                // Class 1 only: Class1ECMSupport
    };

    // HylaFAX on `device` (a virtual modem's pty, under /dev: faxq hands faxsend a
    // device id that faxsend turns back into "/dev/" + id), spool and logs in `dir`.
    HylafaxPeer(std::filesystem::path root, std::filesystem::path dir,
                const std::filesystem::path& device, Options options)
        : root_(std::move(root)), dir_(std::move(dir)), options_(std::move(options)) {
        dev_ = std::filesystem::canonical(device).lexically_relative("/dev").string();
        id_ = dev_;
        for (char& c : id_)
            if (c == '/') c = '_';
        spool_ = dir_ / "spool";
        port_ = free_tcp_port();
    }
    ~HylafaxPeer() { stop(); }
    HylafaxPeer(const HylafaxPeer&) = delete;
    HylafaxPeer& operator=(const HylafaxPeer&) = delete;

    const std::filesystem::path& spool() const { return spool_; }

    // Builds the spool, starts the daemons, waits until faxgetty has the modem.
    bool start(std::chrono::seconds deadline = std::chrono::seconds(40)) {
        build_spool();
        const auto sbin = root_ / "usr" / "sbin";
        spawn({(sbin / "faxq").string(), "-D", "-q", spool_.string()}, "faxq");
        spawn({(sbin / "faxgetty").string(), "-q", spool_.string(), dev_}, "faxgetty");
        spawn({(sbin / "hfaxd").string(), "-d", "-q", spool_.string(), "-l", "127.0.0.1", "-i",
               std::to_string(port_)},
              "hfaxd");
        return wait_idle(deadline);
    }

    // True once faxgetty has the modem again ("Running and idle"): after start,
    // and after every call (it resets and re-initialises the modem first).
    bool wait_idle(std::chrono::seconds deadline = std::chrono::seconds(40)) {
        return poll_until(
            [&] {
                return read_text(spool_ / "status" / id_).find("Running and idle") !=
                       std::string::npos;
            },
            deadline);
    }

    // sendfax (no cover page, no mail, one dial, one try) of `doc` to `number`,
    // by default at 196 lpi on legal paper: a page up to that length goes out as
    // it is (-s a4 would have tiffcheck re-render it through Ghostscript). The job
    // id, or nullopt; sendfax's output in `out`.
    std::optional<std::string> submit(const std::string& number, const std::filesystem::path& doc,
                                      std::string& out,
                                      const std::vector<std::string>& extra = {"-m", "-s",
                                                                               "US-LEG"}) {
        std::vector<std::string> argv{
            (root_ / "usr" / "bin" / "sendfax").string(), "-n", "-N",  "-T", "1", "-t", "1", "-h",
            "localhost:" + std::to_string(port_),         "-d", number};
        argv.insert(argv.begin() + 1, extra.begin(), extra.end());
        argv.push_back(doc.string());
        if (run(argv, out, dir_) != 0) return std::nullopt;
        const auto at = out.find("request id is ");
        if (at == std::string::npos) return std::nullopt;
        std::istringstream in(out.substr(at + 14));
        std::string id;
        in >> id;
        return id;
    }

    // The finished job's record (doneq/qN: "state:7" sent, "state:8" failed), or
    // nullopt at the deadline. With `sent`, the documents faxq prepared for the
    // call (docq/doc*;*, gone once the job is done) are copied there meanwhile:
    // HylaFAX re-renders some documents (mixed resolution, other page sizes).
    std::optional<std::map<std::string, std::string>> wait_done(
        const std::string& job, std::chrono::seconds deadline,
        const std::optional<std::filesystem::path>& sent = std::nullopt) {
        const auto file = spool_ / "doneq" / ("q" + job);
        if (sent) std::filesystem::create_directories(*sent);
        if (!poll_until(
                [&] {
                    if (sent) keep_prepared(*sent);
                    return read_text(file).find("\nstate:") != std::string::npos;
                },
                deadline))
            return std::nullopt;
        std::map<std::string, std::string> record;
        std::istringstream in(read_text(file));
        for (std::string line; std::getline(in, line);)
            if (const auto colon = line.find(':'); colon != std::string::npos)
                record.emplace(line.substr(0, colon), line.substr(colon + 1));
        return record;
    }

    // The faxes of HylaFAX's first received call (one file per document), once its
    // RECV records are in log/xferfaxlog; empty at the deadline.
    std::vector<std::filesystem::path> wait_received(std::chrono::seconds deadline) {
        std::vector<std::filesystem::path> files;
        // The call's CALL record follows its RECV records: wait for both.
        poll_until(
            [&] {
                files.clear();
                bool call_done = false;
                std::istringstream in(read_text(spool_ / "log" / "xferfaxlog"));
                for (std::string line; std::getline(in, line);) {
                    const auto f = split_tabs(line);
                    if (f.size() > 4 && f[1] == "RECV") files.push_back(spool_ / f[4]);
                    if (f.size() > 1 && f[1] == "CALL") call_done = true;
                }
                return call_done && !files.empty();
            },
            deadline);
        return files;
    }

    // The session logs (SessionTracing: log/cNNNNNNNNN, one per call).
    std::string session_logs() const {
        std::string text;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(spool_ / "log", ec))
            if (e.path().filename().string().rfind('c', 0) == 0)
                text +=
                    "--- HylaFAX " + e.path().filename().string() + " ---\n" + read_text(e.path());
        return text;
    }

    // The daemons' output, the transfer log and the session logs, for failures.
    std::string logs() const {
        std::string text;
        for (const char* name : {"faxq", "faxgetty", "hfaxd"})
            text += "--- HylaFAX " + std::string(name) + " ---\n" +
                    read_text(dir_ / (std::string(name) + ".log"));
        return text + "--- HylaFAX xferfaxlog ---\n" + read_text(spool_ / "log" / "xferfaxlog") +
               session_logs();
    }

    // TERM to each daemon's process group (faxgetty forks during a call), KILL
    // to what is left after a second: the spool is thrown away anyway.
    void stop() {
        for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) {
            Process& daemon = **it;
            const pid_t group = daemon.pid();
            ::kill(-group, SIGTERM);
            if (!poll_until([&] { return daemon.exited(); }, std::chrono::seconds(1)))
                ::kill(-group, SIGKILL);  // the destructor reaps it
            ::kill(-group, SIGKILL);      // helpers of the group that outlived its leader
        }
        daemons_.clear();
    }

  private:
    // Copies docq's prepared documents ("doc1.tif;c1") into `to`, each once whole:
    // faxq writes one before the call starts, so a copy taken when its size has
    // stopped changing between two polls is the one sent.
    void keep_prepared(const std::filesystem::path& to) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(spool_ / "docq", ec)) {
            const std::string name = e.path().filename().string();
            if (name.find(';') == std::string::npos) continue;
            const auto size = std::filesystem::file_size(e.path(), ec);
            if (ec) continue;
            auto& seen = prepared_sizes_[name];
            if (seen == size && size > 0)
                std::filesystem::copy_file(e.path(), to / name,
                                           std::filesystem::copy_options::overwrite_existing, ec);
            seen = size;
        }
    }

    static std::vector<std::string> split_tabs(const std::string& line) {
        std::vector<std::string> fields;
        std::istringstream in(line);
        for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
        return fields;
    }

    static int free_tcp_port() {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(fd);
        return ntohs(a.sin_port);
    }

    static void write_file(const std::filesystem::path& file, const std::string& text) {
        std::ofstream(file) << text;
    }

    // The spool from the packaged templates (config prototypes, scripts, etc/),
    // with the settings a private, unmounted spool needs, owned by uucp.
    void build_spool() {
        namespace fs = std::filesystem;
        fs::remove_all(spool_);
        const fs::path lock = dir_ / "lock";
        fs::create_directories(lock);
        for (const char* d : {"archive", "client", "dev", "docq", "doneq", "info", "log", "pollq",
                              "recvq", "sendq", "status", "tmp", "etc"})
            fs::create_directories(spool_ / d);
        const fs::path packaged = root_ / "var" / "spool" / "hylafax";
        fs::copy(packaged / "bin", spool_ / "bin", fs::copy_options::recursive);
        fs::copy(packaged / "config", spool_ / "config", fs::copy_options::recursive);
        fs::copy(root_ / "etc" / "hylafax", spool_ / "etc",
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        // The renderers faxsetup links (tiff2fax re-renders through ps2fax).
        fs::create_symlink("ps2fax.gs", spool_ / "bin" / "ps2fax");
        fs::create_symlink("pdf2fax.gs", spool_ / "bin" / "pdf2fax");
        // Hooks that would mail: record their arguments instead (they run as uucp).
        for (const char* hook : {"notify", "faxrcvd", "pollrcvd"}) {
            write_file(spool_ / "bin" / hook,
                       "#!/bin/sh\necho \"" + std::string(hook) + " $*\" >> log/hooks.log\n");
            fs::permissions(spool_ / "bin" / hook, fs::perms(0755));
        }
        // The scripts' paths: the private root's helpers, never the /usr/sbin
        // wrappers, which bind-mount /etc/hylafax over the system spool.
        const fs::path libexec = root_ / "usr" / "lib" / "hylafax" / "bin";
        write_file(spool_ / "etc" / "setup.cache",
                   "SPOOL='" + spool_.string() + "'\nSBIN='" + libexec.string() + "'\nLIBEXEC='" +
                       libexec.string() + "'\nBIN='" + (root_ / "usr" / "bin").string() +
                       "'\nTIFFBIN='/usr/bin'\nGSRIP='/usr/bin/gs'\nPSPACKAGE='gs'\n"
                       "AWK='/usr/bin/awk'\nSED='/bin/sed'\nCAT='/bin/cat'\nGREP='/bin/grep'\n"
                       "RM='/bin/rm'\nMV='/bin/mv'\nCP='/bin/cp'\nLN='/bin/ln'\n"
                       "ECHO='/bin/echo'\nPATH='/bin:/usr/bin:/sbin:/usr/sbin'\n"
                       "FONTPATH='/usr/share/fonts/type1/gsfonts'\n");
        const std::string dialing =
            "CountryCode:\t\t1\nAreaCode:\t\t555\nLongDistancePrefix:\t1\n"
            "InternationalPrefix:\t011\nDialStringRules:\tetc/dialrules\n"
            "UUCPLockDir:\t\t" +
            lock.string() + "\n";
        write_file(
            spool_ / "etc" / "config",
            dialing + "SendFaxCmd:\t\t" + (libexec / "faxsend").string() + "\nPageChop:\t\tnone\n");
        // The stock prototype for the class, then the server's own lines.
        const std::string prototype = options_.modem_class == "1"   ? "class1"
                                      : options_.modem_class == "2" ? "class2"
                                                                    : "class2.0";
        std::string modem = read_text(spool_ / "config" / prototype) + "\n" + dialing +
                            "FAXNumber:\t\t+1.555.555.0001\nLocalIdentifier:\t\"HYLAFAX\"\n"
                            "RingsBeforeAnswer:\t1\n"
                            "TagLineFont:\t\t\"\"\n"  // no tag line: pages stay pixel-equal
                            "SessionTracing:\t\t0x4F\nRecvFileMode:\t\t0644\n";
        if (!options_.ecm) modem += "Class1ECMSupport:\tno\n";
        write_file(spool_ / "etc" / ("config." + id_), modem);
        write_file(spool_ / "etc" / "hosts.hfaxd", "localhost\n127.0.0.1\n");
        fs::permissions(spool_ / "etc" / "hosts.hfaxd", fs::perms(0600));
        // faxq and faxgetty work as uucp.
        if (const passwd* pw = ::getpwnam("uucp")) {
            ::lchown(lock.c_str(), pw->pw_uid, pw->pw_gid);
            ::lchown(spool_.c_str(), pw->pw_uid, pw->pw_gid);
            for (const auto& e : fs::recursive_directory_iterator(spool_))
                ::lchown(e.path().c_str(), pw->pw_uid, pw->pw_gid);
        }
    }

    // A daemon in a session (and process group) of its own, output to dir/NAME.log.
    void spawn(const std::vector<std::string>& argv, const std::string& name) {
        daemons_.push_back(std::make_unique<Process>(argv, dir_ / (name + ".log"),
                                                     std::vector<std::string>{}, true));
    }

    std::filesystem::path root_, dir_, spool_;
    Options options_;
    std::string dev_, id_;
    int port_ = 0;
    std::vector<std::unique_ptr<Process>> daemons_;
    std::map<std::string, std::uintmax_t> prepared_sizes_;
};

}  // namespace faxemu::test
