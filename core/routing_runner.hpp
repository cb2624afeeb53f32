// Executes an inbound routing method (Store in a folder, E-mail, Print, Run a
// program) for one received fax. The engine decides which methods run and
// records the outcomes; this only does the work and says how it went.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/program_allow_list.hpp"
#include "core/protocol/fax_file_format.hpp"
#include "core/received_fax.hpp"
#include "core/routing_method.hpp"

namespace faxemu {

struct RoutingConfig {
    // argv of the mailer; the message goes to its stdin. "-t" takes the
    // recipients from the headers, so the address never reaches a command line.
    std::vector<std::string> sendmail = {"/usr/sbin/sendmail", "-t", "-oi"};
    // argv of the print command. An argument that is exactly "{printer}" or
    // one of RunProgram's placeholders ("{file}", ...) is replaced whole;
    // nothing else is substituted. No shell.
    std::vector<std::string> print_command = {"lp", "-d", "{printer}", "{file}"};
    std::string mail_from = "faxemu";
    // The programs RunProgram may start (absolute paths; ProgramAllowList).
    // Empty: RunProgram runs nothing.
    std::vector<std::string> allowed_programs;
    // The mode of the copies Folder stores, set whatever the umask.
    mode_t file_mode = 0640;
    // How long any child (mailer, print command, program) may run before it is
    // sent SIGTERM, then SIGKILL a little later.
    std::chrono::seconds program_timeout{120};
    // Makes the fax TIFF `tiff` into `out` as `format` (PDF for e-mail by
    // default, or as RoutingData's ";format=" says). Set by faxd to the
    // document pipeline's export_fax, which core cannot link; unset, a
    // format other than TIFF fails the method.
    std::function<void(const std::filesystem::path& tiff, FaxFileFormat format,
                       const std::filesystem::path& out)>
        export_fax;
    // Where those copies are made before they are mailed or stored (empty:
    // the system's temporary folder); each is removed once used.
    std::filesystem::path work_dir;
};

struct RoutingRun {
    bool ok = false;
    // On success what was done (Folder: the stored path; Email: "mailed to
    // <addr>"); on failure the method, the fax id and the reason.
    std::string detail;
};

// Thread-safe: run() may be called from several worker threads at once.
//
// RunProgram's RoutingData is the program followed by optional arguments,
// split on spaces: no shell, no quoting, no escapes, so an argument cannot
// contain a space (tabs and other control characters are refused outright).
// The program must be on allowed_programs, checked again before each run (the
// configuration may have changed since the RoutingData was set); what runs is
// the canonical path that was checked.
// An argument that is exactly {file}, {id}, {pages}, {port}, {device_id},
// {csid} or {received} is replaced by the fax's value, as in the print
// command (routing_placeholders.hpp).
// The program gets the fax file as its last argument (unless an argument is
// {file}) and FAX_FILE, FAX_PAGES,
// FAX_SENDER_ID, FAX_CALLER_ID, FAX_PORT, FAX_DEVICE_ID, FAX_ID, FAX_CSID,
// FAX_RECEIVED (ISO 8601 UTC), FAX_PARTIAL (0/1) and PATH as its whole
// environment.
//
// A failure's detail names the fax by its id, never by its file in the spool
// (clients see the detail; faxd's log has the path).
class RoutingRunner {
  public:
    explicit RoutingRunner(RoutingConfig config);

    // Blocks until the method is done (up to program_timeout plus a grace for
    // child processes). Never throws for a method failure and never changes,
    // moves or deletes fax.file: a failing method must not lose the fax.
    RoutingRun run(RoutingKind kind, const std::string& routing_data, const ReceivedFax& fax) const;

    // Mails `text` (plain text, UTF-8) to `address` with `subject` through the
    // configured mailer, as the E-mail method does: for faxd's notices about
    // jobs (Job::notify_address). Blocks like run(); never throws for a mailer
    // failure (ok false, detail says why).
    RoutingRun mail(const std::string& address, const std::string& subject,
                    const std::string& text) const;

    const RoutingConfig& config() const { return config_; }

    // Removes the hidden temporary files that the folder method of a faxd no
    // longer running (killed mid-copy) left in `folder`; returns how many.
    // Those of a live process, and every other file, are left alone.
    static int remove_stale_temporaries(const std::string& folder);

  private:
    RoutingRun to_folder(const std::string& folder, FaxFileFormat format,
                         const ReceivedFax& fax) const;
    RoutingRun to_email(const std::string& address, FaxFileFormat format,
                        const ReceivedFax& fax) const;
    RoutingRun to_printer(const std::string& printer, const ReceivedFax& fax) const;
    RoutingRun to_program(const std::string& command, const ReceivedFax& fax) const;
    // Pipes a whole message into the mailer; throws Failure saying why it failed.
    void send_with_mailer(const std::string& address, const std::string& message) const;

    RoutingConfig config_;
    ProgramAllowList programs_;
};

}  // namespace faxemu
