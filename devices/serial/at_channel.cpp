#include "devices/serial/at_channel.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/error.hpp"

namespace faxemu {

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin());
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

bool printable(const std::string& s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
    return true;
}

// Garbage shown in a message: printable bytes as they are, others as \xNN.
std::string escaped(const std::string& s, std::size_t limit = 40) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > limit) out += "...";
    return out;
}

std::string seconds_text(Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", std::chrono::duration<double>(d).count());
    return buf;
}

std::vector<std::string> default_unsolicited() {
    return {"RING",        "NMBR", "NAME", "DATE", "TIME",    "MESG", "CALLER NUMBER",
            "CALLER NAME", "CID",  "DRON", "DROF", "RINGING", "DDI"};
}

}  // namespace

const char* to_string(AtResult result) {
    switch (result) {
        case AtResult::Ok:
            return "OK";
        case AtResult::Connect:
            return "CONNECT";
        case AtResult::Error:
            return "ERROR";
        case AtResult::NoCarrier:
            return "NO CARRIER";
        case AtResult::Busy:
            return "BUSY";
        case AtResult::NoDialtone:
            return "NO DIALTONE";
        case AtResult::NoAnswer:
            return "NO ANSWER";
        case AtResult::FcError:
            return "+FCERROR";
        case AtResult::Extra:
            return "extra final";
        case AtResult::Timeout:
            return "timeout";
        case AtResult::Garbage:
            return "garbage";
        case AtResult::Vanished:
            return "vanished";
    }
    return "?";
}

std::string AtResponse::text() const {
    std::string out;
    for (const auto& l : lines) {
        if (!out.empty()) out += "; ";
        out += l;
    }
    return out;
}

AtChannel::AtChannel(SerialLine& line, const Clock& clock)
    : line_(line), clock_(clock), unsolicited_(default_unsolicited()) {
    line_.set_read_handler([this](const std::uint8_t* data, std::size_t n) { on_bytes(data, n); });
    line_.set_error_handler([this](const std::string& message) { on_line_failed(message); });
}

AtChannel::~AtChannel() {
    cancel();
    line_.set_read_handler(nullptr);
    line_.set_error_handler(nullptr);
}

AtRequest at_request(std::string command, Duration timeout) {
    AtRequest r;
    r.command = std::move(command);
    r.timeout = timeout;
    return r;
}

void AtChannel::submit(AtRequest request, Command* awaiter) {
    if (pending_)
        throw FaxError(ErrorCode::DeviceInUse, device() + ": AT channel busy with '" +
                                                   pending_->request.command + "', cannot send '" +
                                                   request.command + "'");
    Pending p;
    p.deadline = clock_.now() + request.timeout;
    p.request = std::move(request);
    p.awaiter = awaiter;
    const std::string text = p.request.command;
    pending_ = std::move(p);
    closed_request_ = !line_.is_open();
    // A line end of a previous answer may be half received; a new command starts
    // a fresh line.
    if (!text.empty()) line_.write(text + "\r");
}

AtChannel::Command AtChannel::command(AtRequest request) {
    return Command(*this, std::move(request));
}

AtChannel::Command AtChannel::command(std::string command, Duration timeout) {
    return Command(*this, at_request(std::move(command), timeout));
}

AtChannel::Command AtChannel::expect(Duration timeout) {
    return Command(*this, at_request({}, timeout));
}

void AtChannel::Command::await_suspend(std::coroutine_handle<> awaiting) {
    awaiting_ = awaiting;
    waiting_ = true;
    try {
        channel_->submit(std::move(request_), this);
    } catch (...) {
        waiting_ = false;
        throw;
    }
}

AtChannel::Command::~Command() {
    if (waiting_ && channel_) channel_->cancel();
}

void AtChannel::cancel() {
    if (pending_ && pending_->awaiter) pending_->awaiter->channel_ = nullptr;
    pending_.reset();
    closed_request_ = false;
}

void AtChannel::reset() {
    cancel();
    leave_data_mode();
    partial_.clear();
    skip_lf_ = false;
    held_.reset();
    numeric_ = true;
    extra_finals_.clear();
    unsolicited_ = default_unsolicited();
    ++resets_;
}

void AtChannel::add_final(std::string prefix) {
    if (std::find(extra_finals_.begin(), extra_finals_.end(), prefix) == extra_finals_.end())
        extra_finals_.push_back(std::move(prefix));
}

void AtChannel::remove_final(const std::string& prefix) {
    extra_finals_.erase(std::remove(extra_finals_.begin(), extra_finals_.end(), prefix),
                        extra_finals_.end());
}

void AtChannel::add_unsolicited(std::string prefix) {
    unsolicited_.push_back(std::move(prefix));
}

void AtChannel::enter_data_mode(DataSink sink) {
    sink_ = std::move(sink);
    decoder_ = DleDecoder(sink_.dle);
    if (sink_.code) decoder_.set_code_handler(sink_.code);
    data_mode_ = true;
    partial_.clear();
}

void AtChannel::leave_data_mode() {
    data_mode_ = false;
    sink_ = DataSink{};
    decoder_.reset();
}

void AtChannel::poll() {
    // No LF came after a CR-ended code since the last read: a V0 result.
    if (!resolve_held()) return;
    if (!pending_) return;
    if (closed_request_) {
        finish(AtResult::Vanished, {},
               "serial device " + device() + " is not open (command '" + pending_->request.command +
                   "')");
        return;
    }
    if (clock_.now() < pending_->deadline) return;
    Pending& p = *pending_;
    const std::string what =
        p.request.command.empty() ? std::string("a result") : "'" + p.request.command + "'";
    const bool noise = p.garbage_lines > 0 || (!partial_.empty() && !printable(partial_));
    if (noise && p.response.lines.empty()) {
        const std::string sample = p.garbage_lines > 0 ? p.last_garbage : escaped(partial_);
        finish(AtResult::Garbage, {},
               "garbage from " + device() + " in answer to " + what + ": '" + sample + "'");
        return;
    }
    std::string message =
        "no answer from " + device() + " to " + what + " within " + seconds_text(p.request.timeout);
    if (!p.response.lines.empty()) message += " (got only: " + p.response.text() + ")";
    finish(AtResult::Timeout, {}, message);
}

void AtChannel::on_line_failed(const std::string& message) {
    data_mode_ = false;
    partial_.clear();
    if (pending_) {
        finish(AtResult::Vanished, {}, message);
        return;
    }
    if (ErrorHandler h = on_error_) h(message);
}

bool AtChannel::resolve_held() {
    if (!held_) return true;
    const std::uint64_t resets = resets_;
    std::string line = std::move(*held_);
    held_.reset();
    handle_line(line, true);
    return resets_ == resets;
}

void AtChannel::on_bytes(const std::uint8_t* data, std::size_t n) {
    // What runs from here (a resumed coroutine, a sink) may reset the channel: the
    // rest of the read belongs to the line it closed.
    const std::uint64_t resets = resets_;
    const auto was_reset = [&] { return resets_ != resets; };
    std::size_t i = 0;
    while (i < n) {
        if (held_) {
            std::string line = std::move(*held_);
            held_.reset();
            const bool lf = data[i] == '\n';
            if (lf) {
                ++i;
                skip_lf_ = false;
            }
            handle_line(line, !lf);
            if (was_reset()) return;
            continue;
        }
        if (skip_lf_) {
            skip_lf_ = false;
            if (data[i] == '\n') {
                ++i;
                continue;
            }
        }
        if (data_mode_) {
            if (sink_.raw) {
                auto cb = sink_.data;
                if (cb) cb(data + i, n - i);
                return;
            }
            decoded_.clear();
            const DleDecoder::Result r = decoder_.feed(data + i, n - i, decoded_);
            i += r.consumed;
            if (!decoded_.empty() && sink_.data) {
                auto cb = sink_.data;
                cb(decoded_.data(), decoded_.size());
                if (was_reset()) return;
            }
            if (r.end && data_mode_) {
                auto end = std::move(sink_.end);
                leave_data_mode();
                if (end) end();
                if (was_reset()) return;
            }
            continue;
        }
        const auto c = static_cast<char>(data[i++]);
        if (c == '\r' || c == '\n') {
            if (c == '\r') skip_lf_ = true;
            if (partial_.empty()) continue;
            std::string line = std::move(partial_);
            partial_.clear();
            if (c == '\r' && numeric_ && (line.size() == 1 || line == "+F4")) {
                held_ = std::move(line);  // decided by the next byte
                continue;
            }
            handle_line(line, false);
            if (was_reset()) return;
            continue;
        }
        // XON/XOFF and NUL between result codes are flow control or line noise.
        if (c == 0x11 || c == 0x13 || c == 0) continue;
        partial_.push_back(c);
        if (partial_.size() >= max_line_length) {
            std::string line = std::move(partial_);
            partial_.clear();
            handle_garbage(line);
            if (was_reset()) return;
        }
    }
}

bool AtChannel::is_unsolicited(const std::string& line) const {
    for (const auto& p : unsolicited_)
        if (starts_with(line, p)) return true;
    return false;
}

std::optional<AtResult> AtChannel::final_code(const std::string& line, bool numeric) const {
    if (pending_)
        for (const auto& p : pending_->request.extra_finals)
            if (starts_with(line, p)) return AtResult::Extra;
    for (const auto& p : extra_finals_)
        if (starts_with(line, p)) return AtResult::Extra;
    if (line == "OK") return AtResult::Ok;
    if (starts_with(line, "CONNECT")) return AtResult::Connect;
    if (line == "ERROR") return AtResult::Error;
    if (line == "NO CARRIER") return AtResult::NoCarrier;
    if (line == "BUSY") return AtResult::Busy;
    if (line == "NO DIALTONE" || line == "NO DIAL TONE") return AtResult::NoDialtone;
    if (line == "NO ANSWER") return AtResult::NoAnswer;
    if (line == "+FCERROR" || line == "+F4") return AtResult::FcError;
    if (numeric && line.size() == 1) {
        switch (line[0]) {
            case '0':
                return AtResult::Ok;
            case '1':
                return AtResult::Connect;
            case '3':
                return AtResult::NoCarrier;
            case '4':
                return AtResult::Error;
            case '6':
                return AtResult::NoDialtone;
            case '7':
                return AtResult::Busy;
            case '8':
                return AtResult::NoAnswer;
            default:
                break;
        }
    }
    return std::nullopt;
}

void AtChannel::handle_garbage(const std::string& line) {
    if (!pending_) return;  // noise on an idle line: nothing waits for it
    Pending& p = *pending_;
    ++p.garbage_lines;
    p.last_garbage = escaped(line);
    if (p.garbage_lines >= max_garbage_lines) {
        const std::string what =
            p.request.command.empty() ? std::string("a result") : "'" + p.request.command + "'";
        finish(AtResult::Garbage, {},
               "garbage from " + device() + " in answer to " + what + ": '" + p.last_garbage + "'");
    }
}

void AtChannel::handle_line(const std::string& raw, bool numeric) {
    const std::string line = trim(raw);
    if (line.empty()) return;
    if (!printable(line)) {
        handle_garbage(line);
        return;
    }
    if (numeric && (line == "2" || line == "+F4" || final_code(line, true))) {
        if (line == "2") {  // RING in V0
            if (LineHandler h = on_unsolicited_) h("RING");
            return;
        }
        if (!pending_) {
            if (LineHandler h = on_unsolicited_) h(line);
            return;
        }
        finish(line == "+F4" ? AtResult::FcError : *final_code(line, true), line);
        return;
    }
    if (pending_ && !pending_->request.command.empty() && iequals(line, pending_->request.command))
        return;  // our own echo (E1)
    if (is_unsolicited(line) || !pending_) {
        if (LineHandler h = on_unsolicited_) h(line);
        return;
    }
    if (const auto code = final_code(line, false)) {
        finish(*code, line);
        return;
    }
    pending_->response.lines.push_back(line);
    if (pending_->request.on_line) {
        auto cb = pending_->request.on_line;
        cb(line);
    }
}

void AtChannel::finish(AtResult result, std::string final_line, std::string error) {
    Pending p = std::move(*pending_);
    pending_.reset();
    closed_request_ = false;
    p.response.result = result;
    p.response.final_line = std::move(final_line);
    p.response.error = std::move(error);
    if (Command* a = p.awaiter) {
        a->waiting_ = false;
        a->done_ = true;
        a->response_ = std::move(p.response);
        a->awaiting_.resume();
    }
}

}  // namespace faxemu
