// faxd's configuration: a TOML file (`faxd --config FILE`), or the embedded
// default (two simulated ports on the virtual exchange) when none is given.
// fixtures/faxd.toml is the commented example of every setting.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dial_rules.hpp"
#include "core/documents/conversion.hpp"
#include "core/fax_server.hpp"
#include "core/file_modes.hpp"
#include "core/retry_policy.hpp"
#include "core/routing_runner.hpp"
#include "core/rpc_server.hpp"
#include "core/store.hpp"
#include "devices/modem_port/modem_port_config.hpp"

namespace faxemu::faxd {

struct PortConfig {
    std::string name;
    std::string kind = "simulated";  // or "modem": a fax modem on a serial line
    std::string number;  // the line's number on the virtual exchange; for a modem, its own number
    // kind = "modem"
    std::filesystem::path device;      // /dev/ttyS0, /dev/ttyUSB0, a virtual modem's pty
    std::string modem_class = "auto";  // "1", "2", "2.0", or "auto": the best the modem has
    int baud = 115200;
    std::string flow_control = "xonxoff";          // "rtscts" or "none"
    std::filesystem::path lock_dir = "/var/lock";  // UUCP lock files (LCK..ttyS0)
    // [port.quirks]: driver settings for modems' firmware bugs, by name (see fixtures/faxd.toml).
    std::map<std::string, std::string> quirks;
    std::int32_t rings = 2;
    std::string csid;
    std::string tsid;
    bool send = true;
    bool receive = true;
    bool ecm = true;
    int modulations = 0x07;  // Modulation bits
    // Overrides [dialing] outside_line_prefix for this port (a port on a PBX
    // extension needs "9,", one on a direct line nothing).
    std::optional<std::string> outside_line_prefix;
    // A port group's name: `faxctl send --port GROUP` sends on any port of it.
    std::string group;
    std::vector<RoutingSetting> routing;
};

struct Config {
    std::filesystem::path spool;  // empty: $XDG_STATE_HOME/faxemu, ~/.local/state/faxemu, /tmp
    std::string log_level = "info";
    std::filesystem::path log_file;  // empty: log_target
    // auto (the journal when systemd connected stderr to it, else stderr),
    // stderr, journald or syslog; see log_target.hpp.
    std::string log_target = "auto";
    ServerSettings server;  // initial; settings changed through the API win
    // Permissions of the faxes, documents and directories faxd writes (spool,
    // archive, folder routing), set explicitly whatever the umask.
    FileModes modes;
    // Control protocol.
    std::string listen = "127.0.0.1:4575";  // empty: no TCP
    std::string tls_listen;                 // empty: no TLS
    std::filesystem::path tls_cert;         // PEM certificate chain, for tls_listen
    std::filesystem::path tls_key;          // PEM private key, for tls_listen
    std::filesystem::path socket;           // empty: <spool>/faxd.sock
    std::filesystem::path users;            // empty: only the local admin (Unix socket)
    RpcServer::Limits control_limits;       // sessions, line sizes, login deadline and back-off
    // [metrics] listen: HOST:PORT of the HTTP listener for /metrics and /health; empty: none.
    std::string metrics_listen;
    // [web] listen: HOST:PORT of the web console (web_console.hpp); empty: none.
    std::string web_listen;
    // [web] tls_cert, tls_key: PEM certificate chain and key; both set: the
    // console is HTTPS only (its cookie Secure).
    std::filesystem::path web_tls_cert;
    std::filesystem::path web_tls_key;
    std::size_t max_document_bytes = 32u << 20;
    // Threads of the worker pool that does faxd's heavy work (conversion, routing).
    std::size_t workers = 2;
    // [documents]: limits of one document's conversion.
    ConversionLimits conversion;
    // [documents] cover_pages: a folder of cover page templates (NAME.svg) that
    // clients pick by name; empty: only the built-in default.
    std::filesystem::path cover_pages;
    // The virtual exchange of the simulated ports: 0 = as fast as possible, 1 = real time.
    double line_speed = 0;
    // Inbound routing; routing.allowed_programs lists what run-program may start.
    RoutingConfig routing;
    std::chrono::seconds routing_retry_delay{300};
    int routing_max_tries = 5;
    // [server] max_calls_per_number: calls to one number at once (1: one at a time).
    int max_calls_per_number = 1;
    // [retry]: per failure class, the retries and delay; what is not set follows
    // [server] retries and retry_delay (faxcom's Retries and RetryDelay).
    RetryPolicy retry;
    // [server] call_stall_timeout: a connected call with no T.30 frame or event
    // and no image data moving for this long is hung up (0: never).
    std::chrono::milliseconds call_stall_timeout = std::chrono::seconds(120);
    // [faxmail] allowed_senders: whose mail faxmail (e-mail to fax) faxes;
    // faxmail reads it from this file (SenderAllowList), faxd only checks it.
    std::vector<std::string> faxmail_allowed_senders;
    // [faxcom] drive_map = { "C:\\faxes" = "/srv/fax" }: the Windows folders a
    // client may name in ArchiveDirectory and store-in-folder RoutingData, and
    // the local folders they are (core/drive_map.hpp). Empty: none.
    std::vector<DriveMapping> drive_map;
    // [dialing]: how a job's number is read (compared) and dialled, as
    // HylaFAX's DialStringRules; empty: as typed.
    DialRules dialing;
    // [server] accounting_log: one line per call (AccountingLog); empty:
    // <spool>/log/xferfaxlog.
    std::filesystem::path accounting_log;
    // [received] retention: received faxes that ended longer ago than this are
    // removed, files and record (zero: kept for ever).
    std::chrono::seconds received_retention{0};
    std::vector<PortConfig> ports;
};

// The dial rules of one port: [dialing] with the port's overrides.
DialRules dial_rules_of(const Config& config, const PortConfig& port);

// Throws std::runtime_error naming the file, the key and what is wrong.
Config load_config(const std::filesystem::path& file);
Config parse_config(const std::string& toml_text, const std::string& origin);
// Two simulated ports, 5551001 and 5551002, both sending and receiving.
Config default_config();

// A listen address's HOST and PORT ("127.0.0.1:4575"); throws
// std::runtime_error naming `key` when `address` is not that shape.
std::pair<std::string, std::uint16_t> split_listen_address(const std::string& key,
                                                           const std::string& address);

// What a port of kind "modem" tells its device.
ModemPortConfig modem_port_config(const PortConfig& port);
// The spool to use when the config names none.
std::filesystem::path default_spool();
// The users file faxd reads: [control] users, else <spool>/users.json (read
// only if it exists), where `faxd user add` writes by default.
std::filesystem::path users_file(const Config& config);

}  // namespace faxemu::faxd
