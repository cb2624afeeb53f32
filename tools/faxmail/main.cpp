// faxmail: e-mail to fax, as HylaFAX's faxmail. The mail system pipes a
// message in; faxmail faxes its text body and every attachment, in order, as
// one job to the number the mail was addressed to (5551002@fax.example), if
// its sender is on faxd's [faxmail] allowed_senders, and asks faxd to mail the
// sender when the fax is done or has failed for good.
//   faxmail [--server ADDR | --config FAXD.TOML] [--user U] [--sender ADDR] [NUMBER] < mail
// Exit codes are sendmail's (sysexits.h), so the mail system bounces a mail
// that cannot be faxed and keeps one for later while faxd is away.
#include <fmt/format.h>
#include <sysexits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "core/protocol/base64.hpp"
#include "core/protocol/defaults.hpp"
#include "core/protocol/error_codes.hpp"
#include "core/protocol/submit.hpp"
#include "tools/faxctl/faxd_address.hpp"
#include "tools/faxmail/fax_recipient.hpp"
#include "tools/faxmail/faxmail_config.hpp"
#include "tools/faxmail/mail_message.hpp"

using namespace faxemu;
using json = nlohmann::json;

namespace {

// Beyond this a mail is refused rather than read on (faxd's own limit is per document).
constexpr std::size_t kMaxMailBytes = 64u << 20;

int fail(int code, const std::string& message) {
    fmt::print(stderr, "faxmail: {}\n", message);
    return code;
}

std::string read_stdin() {
    std::string raw;
    char buf[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("cannot read the mail from stdin");
        }
        if (n == 0) return raw;
        raw.append(buf, static_cast<std::size_t>(n));
        if (raw.size() > kMaxMailBytes)
            throw std::length_error("the mail is larger than " +
                                    std::to_string(kMaxMailBytes >> 20) + " MiB");
    }
}

// The number from the argument, else Delivered-To, else the first To that is one.
std::optional<std::string> recipient_number(const std::string& argument,
                                            const faxmail::MailMessage& mail) {
    if (!argument.empty()) return faxmail::fax_number_of(argument);
    if (!mail.delivered_to.empty())
        if (auto n = faxmail::fax_number_of(mail.delivered_to)) return n;
    for (const std::string& to : mail.to)
        if (auto n = faxmail::fax_number_of(to)) return n;
    return std::nullopt;
}

std::string documents_name(const json& documents) {
    std::string names;
    for (const json& d : documents)
        names += (names.empty() ? "" : ", ") + d["name"].get<std::string>();
    return names.size() > 200 ? names.substr(0, 197) + "..." : names;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faxmail: fax a mail piped in on stdin (its text and every attachment)"};
    app.footer(
        "NUMBER (or an address NUMBER@domain) is the recipient; without it, the mail's\n"
        "Delivered-To or To address. The sender must match faxd's [faxmail] allowed_senders.\n"
        "Exit codes (sysexits.h): 0 queued; 64 usage; 65 nothing to fax, or a document\n"
        "faxd cannot fax; 67 no fax number; 75 faxd could not be reached (try again later);\n"
        "77 sender not allowed; 78 faxd's configuration cannot be read.");
    app.set_version_flag("--version", std::string("faxmail ") + FAXEMU_VERSION);
    faxctl::FaxdLogin login;
    std::string sender, number_arg, notify = "all";
    app.add_option("-s,--server", login.server,
                   "HOST[:PORT], tls://HOST:PORT or unix:PATH ($FAXEMU_SERVER)");
    app.add_option("-c,--config", login.config,
                   "faxd's configuration file: its allow-list and where it listens ($FAXD_CONFIG)");
    app.add_option("--tls-ca", login.tls_ca, "CA file for tls:// ($FAXEMU_TLS_CA)");
    app.add_option("-u,--user", login.user, "log in to faxd as this user ($FAXEMU_USER)");
    app.add_option("--password-file", login.password_file,
                   "first line is the password ($FAXEMU_PASSWORD)");
    app.add_option("-f,--sender", sender,
                   "the sender (the envelope's, e.g. Postfix's ${sender}); default: From");
    app.add_option("--notify", notify, "mail the sender when the fax is: done, fail, all, never")
        ->check(CLI::IsMember({"done", "fail", "all", "never"}));
    app.add_option("number", number_arg, "the fax number, or NUMBER@domain");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        return fail(EX_USAGE, std::string(e.what()) + "; faxmail --help says more");
    }

    faxmail::MailMessage mail;
    try {
        mail = faxmail::parse_mail(read_stdin());
    } catch (const std::exception& e) {
        return fail(EX_DATAERR, e.what());
    }
    if (sender.empty()) sender = mail.from;
    if (sender.empty()) return fail(EX_NOPERM, "the mail has no sender (no From address)");

    if (login.config.empty()) login.config = rpc::config_from_environment().string();
    try {
        if (!faxmail::load_sender_allow_list(login.config).allows(sender))
            return fail(EX_NOPERM, "sender " + sender +
                                       " may not send faxes (not on [faxmail] allowed_senders" +
                                       (login.config.empty() ? ", and no configuration given: "
                                                               "--config or $FAXD_CONFIG"
                                                             : " of " + login.config) +
                                       ")");
    } catch (const std::exception& e) {
        return fail(EX_CONFIG, e.what());
    }

    const auto number = recipient_number(number_arg, mail);
    if (!number) {
        const std::string to = !number_arg.empty()          ? number_arg
                               : !mail.delivered_to.empty() ? mail.delivered_to
                               : !mail.to.empty()           ? mail.to.front()
                                                            : std::string("nobody");
        return fail(EX_NOUSER, "no fax number: the mail is for " + to +
                                   ", whose local part is not a number (write to "
                                   "NUMBER@ the fax domain, e.g. 5551002@fax.example)");
    }

    json documents = json::array();
    if (!mail.body.empty())
        documents.push_back({{"document", rpc::base64_encode(std::vector<std::uint8_t>(
                                              mail.body.begin(), mail.body.end()))},
                             {"name", "message.txt"}});
    for (const faxmail::MailPart& part : mail.documents)
        documents.push_back({{"document", rpc::base64_encode(part.bytes)}, {"name", part.name}});
    for (const std::string& why : mail.skipped) fmt::print(stderr, "faxmail: left out {}\n", why);
    if (documents.empty())
        return fail(EX_DATAERR, "nothing to fax: the mail has no text and no attachment");

    json params = {{"number", *number},
                   {"documents", documents},
                   {"display_name",
                    mail.subject.empty() ? documents_name(documents) : mail.subject.substr(0, 200)},
                   {"sender_name", sender}};
    if (notify != "never") params["notify"] = {{"address", sender}, {"when", notify}};

    std::unique_ptr<rpc::FaxClient> client;
    try {
        client = faxctl::connect_to_faxd(login);
    } catch (const rpc::RpcError& e) {
        if (e.code() == rpc::kIoError)
            return fail(EX_TEMPFAIL, std::string("cannot reach faxd: ") + e.what());
        return fail(EX_TEMPFAIL, std::string("faxd refused faxmail's login: ") + e.what());
    } catch (const std::exception& e) {
        return fail(EX_TEMPFAIL, std::string("cannot reach faxd: ") + e.what());
    }
    try {
        const json job = rpc::submit_and_wait(*client, params, std::chrono::minutes(5));
        fmt::print("faxmail: job {} ({} page{}) queued for {}, from {}\n",
                   job["job_id"].get<std::int64_t>(), job["page_count"].get<int>(),
                   job["page_count"].get<int>() == 1 ? "" : "s", *number, sender);
        return EX_OK;
    } catch (const rpc::RpcError& e) {
        switch (e.code()) {
            case rpc::kBadDocument:
            case rpc::kInvalidParams:
            case rpc::kInvalidValue:
            case rpc::kTooLarge:
                return fail(EX_DATAERR, e.what());
            case rpc::kUnauthenticated:
                return fail(EX_TEMPFAIL,
                            "faxd wants a user: faxmail --user NAME, with the password in "
                            "$FAXEMU_PASSWORD or --password-file (or run faxmail as faxd's user)");
            case rpc::kAccessDenied:
                return fail(EX_TEMPFAIL, std::string("faxd refused: ") + e.what());
            default:
                return fail(EX_TEMPFAIL, std::string("faxd: ") + e.what());
        }
    } catch (const std::exception& e) {
        return fail(EX_SOFTWARE, e.what());
    }
}
