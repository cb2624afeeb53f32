#include "devices/virtual_class2/class2_engine.hpp"

// Internals only for MPS: to give T.30's T.4 encoder a row reader and move its
// last page (0.0.6 has no setter on a T.30 for either; see the header).
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <stdexcept>

#include "core/bit_reversal.hpp"
#include "devices/class2_protocol/t4_stream.hpp"
#include "devices/virtual_class2/v21_snooper.hpp"

namespace faxemu {

using namespace vclass2;

namespace {

constexpr std::uint8_t kDle = 0x10;
constexpr std::uint8_t kEtx = 0x03;
constexpr std::uint8_t kDc1 = 0x11;  // XON
constexpr std::uint8_t kDc2 = 0x12;
constexpr std::uint8_t kSub = 0x1A;
constexpr int kSampleRate = 8000;
// Kept audio younger than this is replayed to T.30 on release (the remote's DIS
// then gets its answer late by the hold, well inside its T4 of 3 s).
constexpr std::int64_t kFreshBacklog = kSampleRate * 3 / 2;
constexpr std::size_t kMaxBacklog = kSampleRate * 10;
constexpr Duration kT1 = std::chrono::seconds(35);
// How long T.30 stays held after MPS with no response heard: T.30's own T4
// (3 s, T.30 Table A.1), so that when released it repeats MPS as it would have.
constexpr Duration kPostPageResponseWait = std::chrono::milliseconds(3450);
constexpr int kWidths[3] = {1728, 2048, 2432};

std::string upper(std::string s) {
    bool quoted = false;
    for (char& c : s) {
        if (c == '"') quoted = !quoted;
        if (!quoted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(' ');
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// A T.30 identity FIF (20 characters, sent last character first).
std::string decode_ident(const std::vector<std::uint8_t>& frame) {
    std::string id;
    for (std::size_t i = frame.size(); i > 3; --i) id += static_cast<char>(frame[i - 1]);
    return trim(id);
}

int fps_from_response(int fcf) {
    switch (fcf & 0xFE) {
        case T30_MCF:
            return 1;
        case T30_RTN:
            return 2;
        case T30_RTP:
            return 3;
        case T30_PIN:
            return 4;
        case T30_PIP:
            return 5;
        default:
            return 2;
    }
}

int fet_from_ppm(int fcf) {
    switch (fcf & 0xFE) {
        case T30_MPS:
            return 0;
        case T30_EOM:
            return 1;
        case T30_PRI_MPS:
            return 3;
        case T30_PRI_EOM:
            return 4;
        case T30_PRI_EOP:
            return 5;
        default:
            return 2;  // EOP
    }
}

}  // namespace

Class2Engine::Class2Engine(VirtualExchange& exchange, std::string number, Class2Options options)
    : exchange_(exchange), number_(std::move(number)), options_(std::move(options)) {
    static std::atomic<int> serial{0};
    const auto base =
        options_.work_dir.empty() ? std::filesystem::temp_directory_path() : options_.work_dir;
    work_dir_ = base / ("faxemu-class2-" + std::to_string(::getpid()) + "-" +
                        std::to_string(serial++) + "-" + number_);
    std::filesystem::create_directories(work_dir_);
    dcc_ = kModemDefaults;
    dis_ = dcc_;
    dis_at_dial_ = dis_;
}

Class2Engine::~Class2Engine() {
    stop_t30();
    std::error_code ignored;
    std::filesystem::remove_all(work_dir_, ignored);
}

std::string Class2Engine::class_list() const {
    if (!options_.class_list.empty()) return options_.class_list;
    switch (options_.classes) {
        case Class2Set::Class2:
            return "0,2";
        case Class2Set::Class20:
            return "0,2.0";
        case Class2Set::Both:
            break;
    }
    return "0,2,2.0";
}

std::string Class2Engine::name(const char* c2, const char* c20) const {
    return class20() ? c20 : c2;
}

// --- output -----------------------------------------------------------------

void Class2Engine::raw(const std::uint8_t* data, std::size_t n) {
    if (mode_ == HostMode::Silent) return;  // the fault: a modem that says nothing
    if (writer_ && n > 0) writer_(data, n);
}

void Class2Engine::line(const std::string& text) {
    if (quiet_) return;
    if (options_.faults.garbage_after_commands >= 0 &&
        commands_seen_ >= options_.faults.garbage_after_commands) {
        raw("\r\n\x7f#~%garbage\xfe\r\n");
        return;
    }
    raw("\r\n" + text + "\r\n");
}

void Class2Engine::result(const std::string& verbose, int numeric) {
    if (quiet_) return;
    if (!verbose_ && !(options_.faults.garbage_after_commands >= 0 &&
                       commands_seen_ >= options_.faults.garbage_after_commands)) {
        raw(std::to_string(numeric) + "\r");
        return;
    }
    line(verbose);
}

void Class2Engine::event(const std::string& text) {
    if (options_.on_event) options_.on_event("class2 " + number_ + ": " + text);
}

// --- host input -----------------------------------------------------------------

void Class2Engine::host_bytes(const std::uint8_t* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t b = data[i];
        switch (mode_) {
            case HostMode::Silent:
                break;
            case HostMode::SendData:
                send_data_byte(b);
                break;
            case HostMode::RecvWaitTrigger: {
                const std::uint8_t want = options_.quirks.rx_trigger;
                if ((want == 0 && (b == kDc1 || b == kDc2)) || (want != 0 && b == want))
                    stream_rx_page();
                break;
            }
            case HostMode::Command:
                command_byte(b);
                break;
        }
    }
}

void Class2Engine::command_byte(std::uint8_t b) {
    if (echo_ && b != kDc1 && b != 0x13) raw(&b, 1);
    if (b == '\r') {
        std::string text = cmd_line_;
        cmd_line_.clear();
        // Anything before "AT" (flow control, stray bytes) is not a command.
        const std::string up = upper(text);
        const auto at = up.find("AT");
        if (at == std::string::npos) return;
        ++commands_seen_;
        // Silent after N command lines: the (N+1)th goes unanswered (N = 0: all of them).
        if (options_.faults.silent_after_commands >= 0 &&
            commands_seen_ > options_.faults.silent_after_commands) {
            event("goes silent (fault)");
            mode_ = HostMode::Silent;
            return;
        }
        execute_line(text.substr(at + 2));
        return;
    }
    if (b == '\n' || b == 0) return;
    if (b == 0x08 || b == 0x7F) {
        if (!cmd_line_.empty()) cmd_line_.pop_back();
        return;
    }
    if (cmd_line_.size() < 512) cmd_line_ += static_cast<char>(b);
}

void Class2Engine::execute_line(const std::string& body_raw) {
    const std::string body = upper(body_raw);
    std::size_t i = 0;
    bool defer = false;
    while (i < body.size() && !defer) {
        const char c = body[i];
        if (c == ' ' || c == ';') {
            ++i;
            continue;
        }
        bool ok_cmd = true;
        if (c == '+') {
            // Extended command: up to the next ';' outside quotes.
            std::size_t end = i;
            bool quoted = false;
            while (end < body.size() && (quoted || body[end] != ';')) {
                if (body[end] == '"') quoted = !quoted;
                ++end;
            }
            ok_cmd = execute_extended(body_raw.substr(i + 1, end - i - 1), defer);
            i = end;
        } else {
            ok_cmd = execute_basic(body, i, defer);
        }
        if (!ok_cmd) {
            error();
            return;
        }
    }
    if (!defer) ok();
}

bool Class2Engine::execute_basic(const std::string& body, std::size_t& i, bool& defer) {
    auto number_at = [&](std::size_t& j) {
        int v = 0;
        bool any = false;
        while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) {
            v = v * 10 + (body[j] - '0');
            ++j;
            any = true;
        }
        return any ? v : 0;
    };
    const char c = body[i++];
    switch (c) {
        case 'D': {
            std::string digits;
            while (i < body.size() && body[i] != ';') {
                const char d = body[i++];
                if (std::isdigit(static_cast<unsigned char>(d)) || d == '*' || d == '#')
                    digits += d;
            }
            dial(digits);
            defer = true;
            return true;
        }
        case 'A':
            answer();
            defer = true;
            return true;
        case 'H':
            number_at(i);
            hangup_by_host(false);
            return true;
        case 'E':
            echo_ = number_at(i) != 0;
            return true;
        case 'V':
            verbose_ = number_at(i) != 0;
            return true;
        case 'Q':
            quiet_ = number_at(i) != 0;
            return true;
        case 'Z':
            number_at(i);
            hangup_by_host(false);
            fclass_ = "0";
            echo_ = true;
            verbose_ = true;
            quiet_ = false;
            return true;
        case 'I': {
            const int n = number_at(i);
            line(n == 3             ? options_.identity.model
                 : n == 1 || n == 2 ? options_.identity.revision
                                    : options_.identity.ati);
            return true;
        }
        case 'L':
        case 'M':
        case 'X':
        case 'B':
        case 'P':
        case 'T':
        case 'W':
        case 'N':
            number_at(i);
            return true;
        case 'O':
            number_at(i);
            return false;
        case 'S': {
            const int reg = number_at(i);
            if (i < body.size() && body[i] == '=') {
                ++i;
                const int v = number_at(i);
                if (reg == 0) s0_ = v;
            } else if (i < body.size() && body[i] == '?') {
                ++i;
                line(reg == 0 ? std::to_string(s0_) : "0");
            }
            return true;
        }
        case '&':
            if (i < body.size()) ++i;
            number_at(i);
            return true;
        default:
            return false;
    }
}

bool Class2Engine::fclass_command(const std::string& op, const std::string& arg) {
    if (op == "=?") {
        line(class_list());
        return true;
    }
    if (op == "?") {
        line(fclass_);
        return true;
    }
    if (op != "=") return false;
    const std::string v = trim(arg);
    if (v == "0") {
        fclass_ = "0";
        return true;
    }
    if ((v == "2" && options_.classes != Class2Set::Class20) ||
        (v == "2.0" && options_.classes != Class2Set::Class2)) {
        fclass_ = v;
        return true;
    }
    return false;
}

bool Class2Engine::params_command(bool capabilities, const std::string& op,
                                  const std::string& arg) {
    if (op == "=?") {
        line(class2_param_ranges(variant()));
        return true;
    }
    Class2Params& p = capabilities ? dcc_ : dis_;
    if (op == "?") {
        line(format_class2_params(p, variant()));
        return true;
    }
    if (op != "=") return false;
    auto parsed = parse_class2_params(arg, variant(), p);
    if (!parsed) return false;
    parsed = clamp_to_modem(*parsed);
    if (!capabilities && in_call() && options_.quirks.ignore_fdis_after_dial) {
        event("ignores +FDIS after dialling (quirk)");
        return true;
    }
    p = *parsed;
    if (capabilities) dis_ = *parsed;  // setting the capabilities resets the session
    return true;
}

namespace {

// Accepted and without effect here: polling, BFT, timeouts, debug, interrupts.
bool accepted_without_effect(const std::string& name) {
    static const char* const kAccepted[] = {
        "FPHCTO", "FCT",    "FBUG",  "FBU",   "FSPL",    "FSP",     "FCIG", "FPI",
        "FLPL",   "FLP",    "FREL",  "FEA",   "FAP",     "FSA",     "FPA",  "FPW",
        "FRQ",    "FRY",    "FNS",   "FFC",   "FBS",     "FPR",     "FPP",  "FCTCRTY",
        "FECM",   "FAXERR", "FHS",   "FHNG",  "FBADLIN", "FBADMUL", "FTBC", "FREC",
        "FVRFC",  "FDFFC",  "FWDFC", "FLNFC", "FPO"};
    for (const char* a : kAccepted)
        if (name == a) return true;
    return false;
}

}  // namespace

// A numeric parameter 0..max: read (?), range (=?) or set (=n).
bool Class2Engine::int_command(const std::string& op, const std::string& arg, int& target,
                               int max) {
    if (op == "?") {
        line(std::to_string(target));
        return true;
    }
    if (op == "=?") {
        line("(0-" + std::to_string(max) + ")");
        return true;
    }
    if (op != "=") return false;
    const std::string v = trim(arg.substr(0, arg.find(',')));
    if (v.empty() || !std::all_of(v.begin(), v.end(), [](char ch) {
            return std::isdigit(static_cast<unsigned char>(ch));
        }))
        return false;
    const int n = std::stoi(v);
    if (n > max) return false;
    target = n;
    return true;
}

// +FLID / +FLI: the local id, quoted or not, at most 20 characters.
bool Class2Engine::local_id_command(const std::string& op, const std::string& arg) {
    if (op == "=?") return true;
    if (op == "?") {
        line("\"" + local_id_ + "\"");
        return true;
    }
    if (op != "=") return false;
    std::string v = trim(arg);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    local_id_ = v.substr(0, 20);
    return true;
}

bool Class2Engine::execute_extended(const std::string& cmd_raw, bool& defer) {
    // NAME[=?|?|=args]
    std::size_t k = 0;
    while (k < cmd_raw.size() && std::isalnum(static_cast<unsigned char>(cmd_raw[k]))) ++k;
    const std::string cmd_name = upper(cmd_raw.substr(0, k));
    std::string op, arg;
    if (cmd_raw.compare(k, 2, "=?") == 0) {
        op = "=?";
    } else if (k < cmd_raw.size() && cmd_raw[k] == '?') {
        op = "?";
    } else if (k < cmd_raw.size() && cmd_raw[k] == '=') {
        op = "=";
        arg = cmd_raw.substr(k + 1);
    }
    auto int_arg = [&](int& target, int max) { return int_command(op, arg, target, max); };
    auto text_answer = [&](const std::string& text) {
        if (op == "=?") return true;
        line(text);
        return true;
    };

    if (cmd_name == "FCLASS") return fclass_command(op, arg);
    if (cmd_name == "FMFR" || cmd_name == "FMI" || cmd_name == "GMI")
        return text_answer(options_.identity.manufacturer);
    if (cmd_name == "FMDL" || cmd_name == "FMM" || cmd_name == "GMM")
        return text_answer(options_.identity.model);
    if (cmd_name == "FREV" || cmd_name == "FMR" || cmd_name == "GMR")
        return text_answer(options_.identity.revision);
    if (cmd_name == "GCAP") return text_answer("+FCLASS");
    // Everything below needs fax class 2 or 2.0 (a Class 2 modem in +FCLASS=0
    // answers ERROR to the +F session commands).
    const bool fax_mode = fclass_ != "0";
    if (cmd_name == "FLID" || cmd_name == "FLI") return local_id_command(op, arg);
    if (!fax_mode) return false;
    if (cmd_name == "FDCC" || cmd_name == "FCC") return params_command(true, op, arg);
    if (cmd_name == "FDIS" || cmd_name == "FIS") return params_command(false, op, arg);
    if (cmd_name == "FDCS" || cmd_name == "FCS") {
        if (op != "?") return op == "=?";
        line(session_ ? format_class2_params(*session_, variant())
                      : format_class2_params(dis_, variant()));
        return true;
    }
    if (cmd_name == "FCR") return int_arg(cr_, 1);
    if (cmd_name == "FBOR" || cmd_name == "FBO") return int_arg(bor_, 3);
    if (cmd_name == "FLO") return int_arg(flo_, 2);
    if (cmd_name == "FMINSP" || cmd_name == "FMS") return int_arg(minsp_, 5);
    if (cmd_name == "FPTS" || cmd_name == "FPS") return int_arg(pts_, 5);
    if (cmd_name == "FCQ") return int_arg(cq_, 2);
    if (cmd_name == "FAA") return int_arg(aa_, 1);
    if (cmd_name == "FIE") return int_arg(ie_, 1);
    if (cmd_name == "FNR") {
        if (op == "?")
            return text_answer(std::to_string(nr_[0]) + "," + std::to_string(nr_[1]) + "," +
                               std::to_string(nr_[2]) + "," + std::to_string(nr_[3]));
        if (op == "=?") return text_answer("(0,1),(0,1),(0,1),(0,1)");
        return op == "=";
    }
    if (cmd_name == "FIP") {
        dcc_ = kModemDefaults;
        dis_ = dcc_;
        return true;
    }
    if (cmd_name == "FK" || cmd_name == "FKS") {
        hangup_by_host(true);
        return true;
    }
    if (cmd_name == "FDT") {
        defer = true;
        fdt();
        return true;
    }
    if (cmd_name == "FDR") {
        defer = true;
        fdr();
        return true;
    }
    if (cmd_name == "FET") {
        int v = -1;
        if (!int_arg(v, 5) || op != "=") return false;
        defer = true;
        fet(v);
        return true;
    }
    if (!accepted_without_effect(cmd_name)) return false;
    if (op == "?") line("0");
    return true;
}

// --- call control ------------------------------------------------------------

void Class2Engine::dial(const std::string& digits) {
    if (call_ != CallState::Idle || fclass_ == "0") {
        result(call_ != CallState::Idle ? "ERROR" : "NO CARRIER", call_ != CallState::Idle ? 4 : 3);
        return;
    }
    event("dials " + digits);
    last_hangup_ = -1;
    sending_ = true;
    call_ = CallState::Dialling;
    pending_ = Pending::Dial;
    dis_at_dial_ = dis_;
    host_hung_up_ = false;
    if (options_.faults.busy || options_.faults.no_answer) {
        dial_fault_busy_ = options_.faults.busy;
        dial_fault_due_ =
            exchange_.clock().now() + (options_.faults.busy ? exchange_.timing().dial_delay
                                                            : exchange_.timing().no_answer_timeout);
        return;
    }
    if (options_.faults.noise) exchange_.set_impairment(number_, options_.faults.noise);
    exchange_.dial(number_, digits);
}

void Class2Engine::answer() {
    if (call_ != CallState::Ringing) {
        result("NO CARRIER", 3);
        return;
    }
    if (fclass_ == "0") {
        result("NO CARRIER", 3);
        return;
    }
    event("answers");
    last_hangup_ = -1;
    rx_pages_.clear();
    sending_ = false;
    call_ = CallState::Answering;
    pending_ = Pending::Answer;
    host_hung_up_ = false;
    if (options_.faults.noise) exchange_.set_impairment(number_, options_.faults.noise);
    exchange_.answer(number_);
}

void Class2Engine::hangup_by_host(bool abort) {
    dial_fault_due_.reset();
    if (call_ == CallState::Idle) return;
    event(abort ? "aborted by the host (+FK)" : "hung up by the host");
    host_hung_up_ = true;  // the host hears no hang-up report from T.30's end
    if (fax_ && !t30_finished_) t30_terminate(t30_);
    const int aborted = hangup_code_in(variant(), 0x02);  // call aborted, by +FK(S) or <CAN>
    if (abort) line(format_hangup(variant(), aborted));
    last_hangup_ = aborted;
    pending_ = Pending::None;
    mode_ = HostMode::Command;
    exchange_.hangup(number_);
    stop_t30();
    call_ = CallState::Idle;
}

void Class2Engine::line_ringing(int ring_count, const std::string& caller_id) {
    if (call_ == CallState::Idle) call_ = CallState::Ringing;
    if (call_ != CallState::Ringing) return;
    if (mode_ == HostMode::Silent) return;
    result("RING", 2);
    if (options_.caller_id && ring_count == 1 && !caller_id.empty()) line("NMBR=" + caller_id);
    if (s0_ > 0 && ring_count >= s0_ && fclass_ != "0") answer();
}

void Class2Engine::line_connected() {
    if (call_ == CallState::Dialling) {
        call_ = CallState::Connected;
        event("connected (sending)");
        start_t30(true);
    } else if (call_ == CallState::Answering) {
        call_ = CallState::Connected;
        event("connected (receiving)");
        start_t30(false);
    } else {
        return;
    }
    phase_ = FaxPhase::A;
    if (options_.faults.silent_after_connect) {
        event("goes silent (fault)");
        mode_ = HostMode::Silent;
    }
}

void Class2Engine::line_ended(LineEnd why) {
    switch (call_) {
        case CallState::Idle:
            return;
        case CallState::Dialling:
            call_ = CallState::Idle;
            pending_ = Pending::None;
            if (why == LineEnd::Busy)
                result("BUSY", 7);
            else if (why == LineEnd::NoAnswer)
                result("NO ANSWER", 8);
            else
                result("NO CARRIER", 3);
            return;
        case CallState::Ringing:
            call_ = CallState::Idle;
            return;
        case CallState::Answering:
            call_ = CallState::Idle;
            pending_ = Pending::None;
            result("NO CARRIER", 3);
            return;
        case CallState::Connected:
            event(std::string("line ended: ") + to_string(why));
            if (fax_ && !t30_finished_) t30_terminate(t30_);
            if (fax_ && !t30_finished_)
                call_over(hangup_code_for_t30(variant(), T30_ERR_CALLDROPPED, sending_, phase_));
            stop_t30();
            call_ = CallState::Idle;
            return;
    }
}

void Class2Engine::line_transmit(std::int16_t* out, int n) {
    if (!fax_) {
        std::fill(out, out + n, std::int16_t{0});
        return;
    }
    guard_page_end();
    const int got = fax_tx(fax_, out, n);
    if (got < n) std::fill(out + std::max(got, 0), out + n, std::int16_t{0});
}

void Class2Engine::line_receive(const std::int16_t* in, int n) {
    if (!fax_) return;
    if (snooper_) {
        const bool was_up = snooper_->carrier();
        snooper_->receive(in, n);
        // Keep the audio of the latest burst only: that is the DIS T.30 must hear.
        if (hold_ && !was_up && snooper_->carrier()) backlog_.clear();
    }
    if (hold_) {
        if (backlog_.size() + static_cast<std::size_t>(n) > kMaxBacklog) backlog_.clear();
        backlog_.insert(backlog_.end(), in, in + n);
        return;
    }
    if (t30_finished_) return;
    fax_rx(fax_, const_cast<std::int16_t*>(in), n);
}

void Class2Engine::tick() {
    const TimePoint now = exchange_.clock().now();
    if (dial_fault_due_ && now >= *dial_fault_due_) {
        dial_fault_due_.reset();
        call_ = CallState::Idle;
        pending_ = Pending::None;
        event(dial_fault_busy_ ? "busy (fault)" : "no answer (fault)");
        if (dial_fault_busy_)
            result("BUSY", 7);
        else
            result("NO ANSWER", 8);
    }
    if (xon_due_ && now >= *xon_due_) {
        xon_due_.reset();
        xon_sent_ = true;
        raw(&kDc1, 1);
    }
    if (mps_hold_due_ && now >= *mps_hold_due_ && !(snooper_ && snooper_->carrier())) {
        mps_hold_due_.reset();
        mps_hold_ = false;
        event("no response to MPS heard: T.30 released to repeat it");
        hold_ = false;
        replay_backlog();
    }
    if (page_ok_due_ && now >= *page_ok_due_) {
        page_ok_due_.reset();
        ok();
    }
    if (t1_due_ && now >= *t1_due_ && !remote_dis_ && call_ == CallState::Connected) {
        t1_due_.reset();
        event("T1 expired: no DIS from the far end");
        t30_finished_ = true;
        call_over(hangup_code_for_t30(variant(), T30_ERR_T1_EXPIRED, true, FaxPhase::A));
    }
    if (end_after_guess_) {
        end_after_guess_ = false;
        event("ending the call after the last page (EOM was sent)");
        t30_finished_ = true;
        call_over(0);
    }
    if (fax_ && t30_finished_) {
        stop_t30();
        call_ = CallState::Idle;
    }
}

// --- T.30 -------------------------------------------------------------------------

std::filesystem::path Class2Engine::new_file(const std::string& stem) {
    return work_dir_ / (stem + "-" + std::to_string(file_serial_++) + ".tif");
}

Class2Params Class2Engine::host_params() const {
    const Class2Params& d =
        (options_.quirks.ignore_fdis_after_dial && in_call()) ? dis_at_dial_ : dis_;
    Class2Params p = d;
    p.vr = std::min(d.vr, dcc_.vr);
    p.br = std::min(d.br, dcc_.br);
    p.ln = std::min(d.ln, dcc_.ln);
    p.df = std::min(d.df, dcc_.df);
    p.ec = std::min(d.ec, dcc_.ec);
    return p;
}

void Class2Engine::start_t30(bool calling) {
    stop_t30();
    fax_ = fax_init(nullptr, calling ? TRUE : FALSE);
    if (fax_ == nullptr) throw std::runtime_error("class 2 modem " + number_ + ": fax_init failed");
    fax_set_transmit_on_idle(fax_, TRUE);
    t30_ = fax_get_t30_state(fax_);
    t30_finished_ = false;
    t30_cause_ = 0;
    reported_fcon_ = false;
    remote_dis_.reset();
    remote_id_.clear();
    session_.reset();
    pages_done_ = 0;
    last_ppm_ = -1;
    rx_pages_.clear();
    streaming_.reset();
    rx_pages_written_ = 0;
    page_file_.reset();
    ppm_known_ = false;
    ppm_guessed_ = false;
    early_fps_.reset();
    end_after_guess_ = false;
    more_documents_ = false;
    drop_scheduled_ = false;
    backlog_.clear();
    mps_hold_ = false;
    mps_hold_due_.reset();
    next_page_wanted_ = false;
    response_reported_ = false;
    doc_page_ = 0;
    next_rows_ = PageRows{};
    next_row_ = 0;
    image_tx_ = nullptr;
    image_tx_user_ = nullptr;
    page_end_held_ = false;
    t30_set_tx_ident(t30_, local_id_.c_str());
    t30_set_supported_image_sizes(t30_, T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH |
                                            T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_215MM_WIDTH |
                                            T30_SUPPORT_255MM_WIDTH | T30_SUPPORT_303MM_WIDTH);
    t30_set_phase_b_handler(t30_, &Class2Engine::on_phase_b, this);
    t30_set_phase_d_handler(t30_, &Class2Engine::on_phase_d, this);
    t30_set_phase_e_handler(t30_, &Class2Engine::on_phase_e, this);
    t30_set_real_time_frame_handler(t30_, &Class2Engine::on_frame, this);
    t30_set_document_handler(t30_, &Class2Engine::on_document, this);
    const Class2Params host = host_params();
    if (calling) {
        // Held until the host has given the first page (see the header).
        hold_ = true;
        t30_set_supported_resolutions(t30_, T30_SUPPORT_STANDARD_RESOLUTION |
                                                T30_SUPPORT_FINE_RESOLUTION |
                                                T30_SUPPORT_R8_RESOLUTION);
        snooper_ = std::make_unique<V21Snooper>(
            [this](const std::vector<std::uint8_t>& f) { snooped_frame(f); });
        t1_due_ = exchange_.clock().now() + kT1;
    } else {
        hold_ = false;
        rx_file_ = new_file("rx");
        t30_set_rx_file(t30_, rx_file_.c_str(), -1);
        t30_set_rx_encoding(t30_, T4_COMPRESSION_ITU_T6);
        t30_set_ecm_capability(t30_, host.ec != 0 ? TRUE : FALSE);
        t30_set_supported_modems(t30_, t30_modulations_for(host));
        t30_set_supported_compressions(t30_, t30_compressions_for(host));
        t30_set_supported_resolutions(t30_, T30_SUPPORT_STANDARD_RESOLUTION |
                                                T30_SUPPORT_R8_RESOLUTION |
                                                (host.vr ? T30_SUPPORT_FINE_RESOLUTION : 0));
    }
}

void Class2Engine::stop_t30() {
    if (fax_) {
        fax_free(fax_);
        fax_ = nullptr;
        t30_ = nullptr;
    }
    image_tx_ = nullptr;
    page_end_held_ = false;
    snooper_.reset();
    hold_ = false;
    backlog_.clear();
    t1_due_.reset();
    xon_due_.reset();
    page_ok_due_.reset();
    mps_hold_ = false;
    mps_hold_due_.reset();
    next_page_wanted_ = false;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(work_dir_, ignored))
        std::filesystem::remove(entry.path(), ignored);
}

void Class2Engine::apply_session_to_t30(const Class2Params& s) {
    t30_set_ecm_capability(t30_, s.ec != 0 ? TRUE : FALSE);
    t30_set_supported_modems(t30_, t30_modulations_for(s));
    t30_set_supported_compressions(t30_, t30_compressions_for(s));
}

void Class2Engine::snooped_frame(const std::vector<std::uint8_t>& frame) {
    if (frame.size() < 3) return;
    const std::uint8_t fcf = frame[2];
    if (mps_hold_) {
        post_page_response_heard(fcf);
        return;
    }
    if (fcf == T30_CSI) {
        remote_id_ = decode_ident(frame);
        return;
    }
    if (fcf != T30_DIS) return;
    auto dis = params_from_dis(frame.data(), frame.size());
    if (!dis) return;
    remote_dis_ = dis;
    if (pending_ != Pending::Dial) return;
    pending_ = Pending::None;
    t1_due_.reset();
    phase_ = FaxPhase::B;
    event("remote DIS " + format_class2_params(*dis, variant()) + " from \"" + remote_id_ + "\"");
    if (!reported_fcon_) {
        line(name("+FCON", "+FCO"));
        reported_fcon_ = true;
    }
    line(name("+FCSI:", "+FCI:") + "\"" + remote_id_ + "\"");
    line(name("+FDIS:", "+FIS:") + format_class2_params(*dis, variant()));
    ok();
}

void Class2Engine::release_t30() {
    if (!fax_ || t30_finished_ || !page_file_) return;
    more_documents_ = ppm_known_ && last_ppm_ != 2 && last_ppm_ != 5;
    ppm_guessed_ = false;
    early_fps_.reset();
    doc_page_ = 0;  // a new document: T.30 opens this TIFF when it hears DIS
    apply_session_to_t30(*session_);
    t30_set_tx_file(t30_, page_file_->c_str(), -1, -1);
    hold_ = false;
    const bool fresh =
        snooper_ && (snooper_->carrier() || snooper_->samples_since_carrier() < kFreshBacklog);
    event(std::string("T.30 released for page ") + std::to_string(pages_done_ + 1) +
          (fresh ? " (replaying " + std::to_string(backlog_.size() / 8) + " ms)" : ""));
    if (fresh)
        replay_backlog();
    else
        backlog_.clear();
}

void Class2Engine::replay_backlog() {
    std::vector<std::int16_t> kept;
    kept.swap(backlog_);
    for (std::size_t off = 0; off < kept.size() && fax_ && !t30_finished_; off += 160) {
        const int n = static_cast<int>(std::min<std::size_t>(160, kept.size() - off));
        fax_rx(fax_, kept.data() + off, n);
    }
}

// --- sending: MPS ------------------------------------------------------------------

void Class2Engine::allow_next_page() {
    if (!sending_ || !t30_ || t30_finished_) return;
    t4_tx_state_t* t4 = &t30_->t4.tx;
    // With a row reader, T.30 asks only whether the document's last page is
    // passed (t4_tx_next_page_has_different_format): MPS when it is not.
    t4_tx_set_row_read_handler(t4, &Class2Engine::read_next_row, this);
    const bool mps = ppm_known_ && last_ppm_ == 0;
    t4->tiff.stop_page = doc_page_ + (mps ? 1 : 0);
}

int Class2Engine::read_next_row(void* user, std::uint8_t buf[], std::size_t len) {
    auto* self = static_cast<Class2Engine*>(user);
    const PageRows& page = self->next_rows_;
    if (self->next_row_ >= page.rows) return 0;
    const std::uint8_t* row =
        page.pixels.data() + static_cast<std::size_t>(self->next_row_) * page.row_bytes;
    const std::size_t n = std::min(len, static_cast<std::size_t>(page.row_bytes));
    std::copy(row, row + n, buf);
    std::fill(buf + n, buf + len, std::uint8_t{0});
    ++self->next_row_;
    return static_cast<int>(len);
}

// The image modem ends the page inside fax_tx, and T.30 then picks the
// post-page message at once (check_next_tx_step asks the document handler).
// While a page goes out its transmitter is wrapped: if the image ends before the
// host's +FET, the line goes quiet there and the end is kept from T.30 until +FET.
void Class2Engine::guard_page_end() {
    if (!sending_ || !t30_ || t30_finished_ || phase_ != FaxPhase::C) return;
    fax_modems_state_t& m = fax_->modems;
    if (m.tx_handler == &Class2Engine::image_tx) return;
    void* modem = m.tx_user_data;
    if (modem != &m.fast_modems.v17_tx && modem != &m.fast_modems.v29_tx &&
        modem != &m.fast_modems.v27ter_tx)
        return;  // not the image yet (the silence before it) or no longer
    image_tx_ = m.tx_handler;
    image_tx_user_ = modem;
    page_end_held_ = false;
    m.tx_handler = &Class2Engine::image_tx;
    m.tx_user_data = this;
}

int Class2Engine::image_tx(void* user, std::int16_t amp[], int len) {
    auto* self = static_cast<Class2Engine*>(user);
    if (!self->page_end_held_) {
        const int got = self->image_tx_(self->image_tx_user_, amp, len);
        // An ECM partial page's end is not the page's: its PPS carries no message.
        const bool page_end = !self->t30_->error_correcting_mode || self->t30_->ecm_at_page_end;
        if (got >= len || self->ppm_known_ || !page_end) return got;
        self->page_end_held_ = true;
        self->event("page " + std::to_string(self->pages_done_ + 1) +
                    " is out before +FET: T.30 waits for it");
        std::fill(amp + std::max(got, 0), amp + len, std::int16_t{0});
        return len;
    }
    if (!self->ppm_known_) {
        std::fill(amp, amp + len, std::int16_t{0});
        return len;
    }
    // +FET is in: the image modem is done, and fax_tx tells T.30 so now.
    self->page_end_held_ = false;
    return 0;
}

void Class2Engine::hold_for_post_page_response() {
    if (!snooper_ || hold_ || t30_finished_) return;
    hold_ = true;
    backlog_.clear();
    mps_hold_ = true;
    mps_hold_due_ = exchange_.clock().now() + kPostPageResponseWait;
}

void Class2Engine::post_page_response_heard(int fcf) {
    mps_hold_ = false;
    mps_hold_due_.reset();
    const int f = fcf & 0xFE;
    if (f != T30_MCF && f != T30_RTP && f != T30_RTN && f != T30_PIP && f != T30_PIN) {
        // PPR, RNR, CRP, DCN...: T.30 answers these itself, without a new page.
        event(std::string("response to MPS: ") + t30_frametype(static_cast<std::uint8_t>(fcf)) +
              ": T.30 released to answer it");
        hold_ = false;
        replay_backlog();
        return;
    }
    // T.30 starts the next page as it hears this (after retraining for RTN/RTP):
    // the host must give it first.
    const int status = fps_from_response(fcf);
    if (status == 1 || status == 3 || status == 5) ++pages_done_;
    response_reported_ = true;
    next_page_wanted_ = true;
    phase_ = FaxPhase::C;
    event("page " + std::to_string(pages_done_) + " answered, +FPTS:" + std::to_string(status) +
          " (T.30 held for the next page)");
    line(name("+FPTS:", "+FPS:") + std::to_string(status));
    if (pending_ == Pending::PageEnd20)
        (status & 1) ? ok() : error();
    else
        ok();
    pending_ = Pending::None;
}

void Class2Engine::resume_with_next_page(const std::filesystem::path& page) {
    next_page_wanted_ = false;
    more_documents_ = ppm_known_ && last_ppm_ != 2 && last_ppm_ != 5;
    ppm_guessed_ = false;
    early_fps_.reset();
    try {
        next_rows_ = read_page_rows(page);
    } catch (const std::exception& e) {
        event(e.what());
        next_rows_ = PageRows{};
    }
    next_row_ = 0;
    ++doc_page_;
    allow_next_page();
    hold_ = false;
    event("T.30 released for page " + std::to_string(pages_done_ + 1) + " after MPS (replaying " +
          std::to_string(backlog_.size() / 8) + " ms)");
    schedule_drop_if_due();
    replay_backlog();
}

void Class2Engine::schedule_drop_if_due() {
    const int after = options_.faults.drop_after_pages;
    if (after < 0 || drop_scheduled_ || pages_done_ != after) return;
    drop_scheduled_ = true;
    event("the line will drop during page " + std::to_string(after + 1) + " (fault)");
    exchange_.drop_call(number_, std::chrono::seconds(1));
}

int Class2Engine::on_phase_b(t30_state_s*, void*, int) {
    return T30_ERR_OK;
}

int Class2Engine::on_document(t30_state_s*, void* user, int) {
    auto* self = static_cast<Class2Engine*>(user);
    if (!self->ppm_known_) {
        // The page went out before the host's +FET: a renegotiation (EOM) keeps
        // every way open; if the host then says EOP the call ends after the MCF.
        self->event("post-page message asked for before +FET: sending EOM");
        self->ppm_guessed_ = true;
        return TRUE;
    }
    return self->more_documents_ ? TRUE : FALSE;
}

void Class2Engine::on_frame(t30_state_s* t30, void* user, int incoming, const std::uint8_t* msg,
                            int len) {
    auto* self = static_cast<Class2Engine*>(user);
    if (len < 3) return;
    const int fcf = msg[2];
    const int fcf_nox = fcf & 0xFE;
    if (self->sending_) {
        if (!incoming && fcf_nox == T30_DCS) {
            self->phase_ = FaxPhase::B;
            self->allow_next_page();  // T.30 has (re)opened the document by now
            if (auto real = params_from_dcs(msg, static_cast<std::size_t>(len));
                real && self->session_ && !(*real == *self->session_)) {
                // Training failed and T.30 stepped down: tell the host, as modems
                // that retrain report the new session.
                self->event("DCS sent " + format_class2_params(*real, self->variant()) +
                            " differs from +FDCS " +
                            format_class2_params(*self->session_, self->variant()));
                self->session_ = real;
                if (self->pending_ == Pending::Fet || self->pending_ == Pending::PageEnd20)
                    self->line(self->name("+FDCS:", "+FCS:") +
                               format_class2_params(*real, self->variant()));
            }
        } else if (incoming && fcf_nox == T30_CFR) {
            self->phase_ = FaxPhase::C;
            self->schedule_drop_if_due();
        } else if (!incoming && (fcf_nox == T30_MPS || fcf_nox == T30_EOM || fcf_nox == T30_EOP)) {
            self->phase_ = FaxPhase::D;
            if (fcf_nox == T30_MPS) self->hold_for_post_page_response();
        } else if (!incoming && fcf_nox == T30_PPS && len > 3 && (msg[3] & 0xFE) == T30_MPS) {
            self->phase_ = FaxPhase::D;  // ECM: PPS-MPS at the page's end
            self->hold_for_post_page_response();
        }
        return;
    }
    // Receiving.
    if (incoming && fcf_nox == T30_DCS) {
        self->phase_ = FaxPhase::B;
        auto dcs = params_from_dcs(msg, static_cast<std::size_t>(len));
        if (!dcs) return;
        self->session_ = dcs;
        if (const char* id = t30_get_rx_ident(t30)) self->remote_id_ = trim(id);
        if (self->pending_ == Pending::Answer) {
            self->pending_ = Pending::None;
            self->line(self->name("+FCON", "+FCO"));
            self->reported_fcon_ = true;
            self->line(self->name("+FTSI:", "+FTI:") + "\"" + self->remote_id_ + "\"");
            self->line(self->name("+FDCS:", "+FCS:") + format_class2_params(*dcs, self->variant()));
            self->ok();
        }
    } else if (!incoming && fcf_nox == T30_CFR) {
        self->phase_ = FaxPhase::C;
        self->schedule_drop_if_due();
    } else if (incoming && (fcf_nox == T30_MPS || fcf_nox == T30_EOM || fcf_nox == T30_EOP)) {
        self->phase_ = FaxPhase::D;
    } else if (!incoming && (fcf_nox == T30_MCF || fcf_nox == T30_RTN || fcf_nox == T30_RTP)) {
        // T.30's verdict on the page just written (it follows the phase D handler).
        for (auto it = self->rx_pages_.rbegin(); it != self->rx_pages_.rend(); ++it) {
            it->status = fps_from_response(fcf);
            break;
        }
        if (self->last_ppm_ == 0 && fcf_nox == T30_MCF) {
            self->phase_ = FaxPhase::C;  // MPS: the next page follows at once
            self->schedule_drop_if_due();
        }
    }
}

int Class2Engine::on_phase_d(t30_state_s* t30, void* user, int result) {
    auto* self = static_cast<Class2Engine*>(user);
    {
        t30_stats_t stats;
        t30_get_transfer_statistics(t30, &stats);
        self->event("phase D: " + std::to_string(stats.width) + "x" + std::to_string(stats.length) +
                    ", " + std::to_string(stats.bad_rows) + " bad rows, encoding " +
                    std::to_string(stats.encoding));
    }
    if (self->sending_) {
        if (self->response_reported_) {
            self->response_reported_ = false;  // heard first while T.30 was held
            return T30_ERR_OK;
        }
        const int status = fps_from_response(result);
        if (status == 1 || status == 3 || status == 5) ++self->pages_done_;
        self->event("page " + std::to_string(self->pages_done_) +
                    " answered, +FPTS:" + std::to_string(status));
        if (!self->ppm_known_ && self->pending_ != Pending::PageEnd20)
            self->early_fps_ = status;  // reported when +FET comes
        else
            self->page_answered(status);
        return T30_ERR_OK;
    }
    // Receiving: the page is in the TIFF now; code it for the host.
    self->last_ppm_ = fet_from_ppm(result);
    RxPage page;
    page.session = self->session_.value_or(Class2Params{});
    page.ppm = self->last_ppm_;
    try {
        T4PageEncoder encoder(self->rx_file_, self->rx_pages_written_, self->rx_pages_written_);
        page.data = encoder.encode_next(page.session.df, Class2BitOrder::Direct);
    } catch (const std::exception& e) {
        self->event(std::string("cannot read the received page: ") + e.what());
    }
    ++self->rx_pages_written_;
    ++self->pages_done_;
    self->event("page " + std::to_string(self->pages_done_) + " received, " +
                std::to_string(page.data.size()) + " bytes for the host");
    self->rx_pages_.push_back(std::move(page));
    if (self->pending_ == Pending::Fdr) self->fdr();
    return T30_ERR_OK;
}

void Class2Engine::page_answered(int status) {
    line(name("+FPTS:", "+FPS:") + std::to_string(status));
    if (more_documents_ || ppm_guessed_) {
        // Back to phase B: hold T.30 until the host gives the next page.
        hold_ = true;
        backlog_.clear();
        phase_ = FaxPhase::B;
        if (!more_documents_) {
            end_after_guess_ = true;  // EOM went out, but that was the last page
            return;
        }
        if (pending_ == Pending::PageEnd20)
            (status & 1) ? ok() : error();
        else
            ok();
        pending_ = Pending::None;
    }
    // After EOP the final OK waits for phase E (+FHNG:0 first).
}

void Class2Engine::on_phase_e(t30_state_s*, void* user, int result) {
    auto* self = static_cast<Class2Engine*>(user);
    if (self->t30_finished_) return;
    self->t30_finished_ = true;
    self->t30_cause_ = result;
    const int code = hangup_code_for_t30(self->variant(), result, self->sending_, self->phase_);
    self->event(std::string("T.30 ended: ") + t30_completion_code_to_str(result));
    self->call_over(code);
}

void Class2Engine::call_over(int code) {
    last_hangup_ = code;
    phase_ = FaxPhase::E;
    hold_ = false;
    exchange_.hangup(number_);
    complete_pending_with_hangup(code);
}

void Class2Engine::complete_pending_with_hangup(int code) {
    if (host_hung_up_) return;
    const std::string hangup = format_hangup(variant(), code);
    switch (pending_) {
        case Pending::Dial:
        case Pending::Answer:
            line(hangup);
            result("NO CARRIER", 3);
            break;
        case Pending::Fet:
            line(hangup);
            ok();
            break;
        case Pending::PageEnd20:
            line(hangup);
            code == 0 ? ok() : error();
            break;
        case Pending::Fdr:
            // Pages still queued go first; fdr() reports the end after them.
            if (!rx_pages_.empty()) return;
            line(hangup);
            ok();
            break;
        case Pending::None:
            // Class 2 answers a page's DLE ETX once the page has gone out: a call
            // that ends before then answers it with the hang-up, as 2.0 does.
            if (page_ok_due_) {
                page_ok_due_.reset();
                line(hangup);
                error();
            }
            return;  // otherwise reported on the host's next command
    }
    pending_ = Pending::None;
}

// --- sending: +FDT and page data ----------------------------------------------

void Class2Engine::fdt() {
    if (!sending_ || call_ != CallState::Connected || t30_finished_ || !remote_dis_ || !hold_ ||
        pending_ != Pending::None) {
        if (last_hangup_ >= 0 && sending_) line(format_hangup(variant(), last_hangup_));
        error();
        return;
    }
    // After MPS the session stays what it was: there is no new phase B.
    if (!next_page_wanted_ || !session_) session_ = negotiate_session(host_params(), *remote_dis_);
    event("+FDT: session " + format_class2_params(*session_, variant()));
    line(name("+FDCS:", "+FCS:") + format_class2_params(*session_, variant()));
    result("CONNECT", 1);
    data_connect_ = exchange_.clock().now();
    mode_ = HostMode::SendData;
    page_data_.clear();
    dle_ = false;
    if (!class20()) {
        if (options_.quirks.late_xon.count() > 0) {
            xon_sent_ = false;
            xon_due_ = exchange_.clock().now() + options_.quirks.late_xon;
        } else {
            xon_sent_ = true;
            raw(&kDc1, 1);
        }
    } else {
        xon_sent_ = true;
    }
}

void Class2Engine::send_data_byte(std::uint8_t b) {
    if (!xon_sent_) {
        ++lost_before_xon_;  // the quirk: data before the XON is lost
        return;
    }
    if (dle_) {
        dle_ = false;
        switch (b) {
            case kDle:
                page_data_.push_back(kDle);
                break;
            case kSub:
                page_data_.insert(page_data_.end(), {kDle, kDle});
                break;
            case kEtx:
                page_data_done(std::nullopt);
                break;
            case ',':
                page_data_done(0);
                break;
            case ';':
                page_data_done(1);
                break;
            case '.':
                page_data_done(2);
                break;
            default:
                break;  // other DLE pairs carry nothing here
        }
        return;
    }
    if (b == kDle)
        dle_ = true;
    else
        page_data_.push_back(b);
}

void Class2Engine::page_data_done(std::optional<int> ppm) {
    mode_ = HostMode::Command;
    xon_due_.reset();
    if (t30_finished_ || !fax_ || !session_) {
        line(format_hangup(variant(),
                           last_hangup_ >= 0 ? last_hangup_ : hangup_code_in(variant(), 0x40)));
        error();
        return;
    }
    std::vector<std::uint8_t> data;
    data.swap(page_data_);
    if (bor_ & 1) reverse_bits(data);
    const auto path = new_file("page");
    try {
        const int wd = std::clamp(session_->wd, 0, 2);
        T4PageWriter writer(path);
        writer.start_page(session_->df, session_->vr, kWidths[wd], Class2BitOrder::Direct);
        writer.put(data.data(), data.size());
        const T4ReceivedPage r = writer.end_page();
        writer.close();
        event("page " + std::to_string(pages_done_ + 1) +
              " from the host: " + std::to_string(data.size()) + " bytes, " +
              std::to_string(r.rows) + " rows, " + std::to_string(r.bad_rows) + " bad");
        if (r.rows == 0) {
            // Nothing T.4 in it: a modem cannot send that (image format error).
            event("the page data decodes to no rows: hanging up");
            host_hung_up_ = true;  // this report replaces T.30's
            if (fax_ && !t30_finished_) t30_terminate(t30_);
            host_hung_up_ = false;
            last_hangup_ = hangup_code_in(variant(), 0x41);  // unspecified image format error
            pending_ = Pending::None;
            exchange_.hangup(number_);
            line(format_hangup(variant(), last_hangup_));
            error();
            return;
        }
    } catch (const std::exception& e) {
        event(e.what());
        error();
        return;
    }
    page_file_ = path;
    if (ppm) {
        last_ppm_ = *ppm;
        ppm_known_ = true;
        pending_ = Pending::PageEnd20;
        next_page_wanted_ ? resume_with_next_page(path) : release_t30();
        return;
    }
    // T.30 starts on the page now (phase B, then C; or C at once after MPS); the
    // post-page message it needs at the page's end comes with +FET, normally long before.
    ppm_known_ = false;
    next_page_wanted_ ? resume_with_next_page(path) : release_t30();
    // A real modem answers DLE ETX once the page has gone out at the line rate;
    // hosts time the page by it (efax divides by the whole seconds it took).
    static constexpr int kRates[6] = {2400, 4800, 7200, 9600, 12000, 14400};
    const auto bits = static_cast<std::int64_t>(data.size()) * 8;
    const Duration on_line{bits * 1'000'000 / kRates[std::clamp(session_->br, 0, 5)]};
    const TimePoint due = data_connect_ + on_line;
    if (due > exchange_.clock().now())
        page_ok_due_ = due;
    else
        ok();
}

void Class2Engine::fet(int ppm) {
    if (page_ok_due_ || !sending_ || ppm_known_ || !page_file_) {
        if (t30_finished_ && last_hangup_ >= 0) {
            line(format_hangup(variant(), last_hangup_));
            ok();
            return;
        }
        error();  // +FET without a page, or before the page's OK
        return;
    }
    // PRI-variants are sent as the plain ones (no operator here).
    last_ppm_ = ppm >= 3 ? ppm - 3 : ppm;
    ppm_known_ = true;
    more_documents_ = last_ppm_ != 2;
    allow_next_page();
    pending_ = Pending::Fet;
    if (early_fps_) {
        const int status = *early_fps_;
        early_fps_.reset();
        page_answered(status);
    } else if (t30_finished_) {
        complete_pending_with_hangup(last_hangup_);
    }
}

// --- receiving: +FDR --------------------------------------------------------------

void Class2Engine::fdr() {
    if (sending_ || (call_ != CallState::Connected && rx_pages_.empty() && last_hangup_ < 0)) {
        error();
        return;
    }
    if (!rx_pages_.empty()) {
        pending_ = Pending::None;
        const RxPage& p = rx_pages_.front();
        line(name("+FDCS:", "+FCS:") + format_class2_params(p.session, variant()));
        result("CONNECT", 1);
        mode_ = HostMode::RecvWaitTrigger;
        return;
    }
    if (t30_finished_ || call_ != CallState::Connected) {
        line(format_hangup(variant(), last_hangup_ >= 0 ? last_hangup_ : 0));
        ok();
        return;
    }
    pending_ = Pending::Fdr;  // answered when the next page is in (or the call ends)
}

void Class2Engine::stream_rx_page() {
    mode_ = HostMode::Command;
    if (rx_pages_.empty()) return;
    RxPage page = std::move(rx_pages_.front());
    rx_pages_.pop_front();
    std::vector<std::uint8_t> data = std::move(page.data);
    const bool reversed = (bor_ & 1) != 0 || (!class20() && options_.quirks.reversed_rx_bit_order);
    // Fill after RTC, as modems send: hosts read ahead past the last EOL (efax
    // counts a page without it as "DLE-ETX without RTC").
    data.insert(data.end(), 4, std::uint8_t{0});
    if (reversed) reverse_bits(data);
    std::vector<std::uint8_t> out;
    out.reserve(data.size() + data.size() / 64 + 2);
    for (std::uint8_t b : data) {
        out.push_back(b);
        if (b == kDle) out.push_back(kDle);
    }
    out.push_back(kDle);
    out.push_back(kEtx);
    raw(out.data(), out.size());
    line(name("+FPTS:", "+FPS:") + std::to_string(page.status));
    line("+FET:" + std::to_string(page.ppm));
    ok();
}

}  // namespace faxemu
