// The AT command channel to a modem over a SerialLine.
//
// Line mode: one command at a time is sent ("AT..." + CR); the lines the modem
// answers are collected as information lines until a final result code, then the
// command's handler runs once with an AtResponse. Lines that arrive while no command
// waits, and lines that are unsolicited by nature (RING, caller id NMBR=/NAME=/
// DATE=/TIME=, DRON/DROF...) even while one waits, go to the unsolicited handler.
// The echo of the command (modem in E1) is skipped.
//
// Data mode: after a CONNECT the owner may switch to data mode *from inside the
// CONNECT handler* (bytes that follow CONNECT in the same read are then already data).
// Received bytes go to a DataSink, either raw or DLE-decoded; a decoded sink returns
// to line mode by itself after <DLE><ETX> (the rest of the read, e.g. "OK", is parsed
// as lines). Sending data is plain send_data() (stuff it with dle.hpp first) followed
// by expect() for the modem's final result.
//
// Coroutines: `AtResponse r = co_await at.command("AT+FRH=3", 90s);` sends the
// command and resumes the awaiting coroutine (see task.hpp) with the outcome, inline,
// from whatever completes it (a read, or poll() at the deadline). Destroying a
// coroutine suspended there withdraws its request. The callback forms below serve
// ModemLine's idle check ("AT" while the modem is idle).
//
// Timeouts: every command/expect has one, checked against the injectable Clock in
// poll(). There are no Asio timers: the owner calls poll() at least every 20 ms
// (in-process tests: once per exchange step). Silence, garbage and a vanished device
// give an AtResponse with a failure code and a message naming the device; nothing
// blocks. Single-threaded; handlers may issue the next command from inside.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "devices/serial/dle.hpp"
#include "devices/serial/serial_line.hpp"

namespace faxemu {

enum class AtResult {
    Ok,          // OK
    Connect,     // CONNECT, CONNECT 14400, ...
    Error,       // ERROR
    NoCarrier,   // NO CARRIER
    Busy,        // BUSY
    NoDialtone,  // NO DIALTONE / NO DIAL TONE
    NoAnswer,    // NO ANSWER
    FcError,     // +FCERROR (+F4): wrong carrier (Class 1)
    Extra,       // a final added with add_final() or AtRequest::extra_finals
    // Failures of the channel rather than answers of the modem:
    Timeout,   // no final result before the deadline
    Garbage,   // only unreadable lines / bytes (wrong baud rate? not a modem?)
    Vanished,  // the device went away (EOF/EIO) or the line was closed
};

const char* to_string(AtResult result);

struct AtResponse {
    AtResult result = AtResult::Timeout;
    std::string final_line;          // the final result line as received ("CONNECT 9600")
    std::vector<std::string> lines;  // information lines before it, in order
    std::string error;  // for Timeout/Garbage/Vanished: what happened, naming the device

    bool ok() const { return result == AtResult::Ok; }
    // The modem answered (as opposed to a channel failure).
    bool answered() const {
        return result != AtResult::Timeout && result != AtResult::Garbage &&
               result != AtResult::Vanished;
    }
    // The information lines joined with "; " (for messages and logs).
    std::string text() const;
};

struct AtRequest {
    std::string command;  // without the CR; empty: send nothing, just wait (expect)
    Duration timeout = std::chrono::seconds{3};
    // Line prefixes that end this request as AtResult::Extra (besides add_final()).
    std::vector<std::string> extra_finals;
    // Information lines as they arrive (they are also collected in AtResponse::lines).
    std::function<void(const std::string& line)> on_line;
};

// A request of `command` (empty: only wait) with `timeout`.
AtRequest at_request(std::string command, Duration timeout);

// Where data-mode bytes go.
struct DataSink {
    // Raw: every received byte goes to `data` unchanged until leave_data_mode()
    // (called from `data`, it takes effect for the next read). Otherwise bytes are DLE-decoded with
    // `dle` and the channel returns to line mode after <DLE><ETX>, then calls `end`.
    bool raw = false;
    DleDecoder::Options dle;
    std::function<void(const std::uint8_t* data, std::size_t n)> data;
    std::function<void()> end;
    std::function<void(std::uint8_t code)> code;  // other <DLE><x> pairs
};

class AtChannel {
  public:
    class Command;
    using ResponseHandler = std::function<void(const AtResponse&)>;
    using LineHandler = std::function<void(const std::string& line)>;
    using ErrorHandler = std::function<void(const std::string& message)>;

    // Takes over the line's read and error handlers. `line` and `clock` must outlive
    // the channel.
    AtChannel(SerialLine& line, const Clock& clock);
    ~AtChannel();
    AtChannel(const AtChannel&) = delete;
    AtChannel& operator=(const AtChannel&) = delete;

    SerialLine& line() { return line_; }
    std::string device() const { return line_.device().string(); }

    // Sends `request.command` + CR and calls `done` once with the outcome. Throws
    // FaxError(DeviceInUse) when a request is already waiting (one at a time).
    void command(AtRequest request, ResponseHandler done);
    void command(std::string command, Duration timeout, ResponseHandler done);
    // Waits for a final result without sending anything (after data was sent, after
    // ATA/ATD, ...).
    void expect(Duration timeout, ResponseHandler done);
    // The same, awaited: `co_await at.command("AT+FTH=3", 5s)` gives the AtResponse.
    // The request is sent when the coroutine suspends (and throws DeviceInUse into it
    // when one is waiting already).
    [[nodiscard]] Command command(AtRequest request);
    [[nodiscard]] Command command(std::string command, Duration timeout);
    [[nodiscard]] Command expect(Duration timeout);
    bool busy() const { return pending_.has_value(); }
    // Drops the waiting request without calling its handler (an awaiting coroutine
    // stays suspended: its owner resumes or destroys it).
    void cancel();

    // Lines outside any request, and unsolicited lines at any time. Without a
    // handler they are dropped.
    void set_unsolicited_handler(LineHandler handler) { on_unsolicited_ = std::move(handler); }
    // The device vanished or failed while no request was waiting (a waiting one gets
    // AtResult::Vanished instead). The message names the device.
    void set_error_handler(ErrorHandler handler) { on_error_ = std::move(handler); }

    // More final result prefixes for every request, e.g. "+FHNG:" or "+FHS:" for a
    // Class 2 driver. They give AtResult::Extra.
    void add_final(std::string prefix);
    void remove_final(const std::string& prefix);
    // More unsolicited prefixes (the defaults: RING, NMBR, NAME, DATE, TIME, MESG,
    // CALLER NUMBER/NAME, CID, DRON, DROF, RINGING).
    void add_unsolicited(std::string prefix);

    // Numeric results (V0): "0" OK, "1" CONNECT, "3" NO CARRIER, "4" ERROR,
    // "6" NO DIALTONE, "7" BUSY, "8" NO ANSWER, "+F4" +FCERROR, and "2" RING
    // (unsolicited). On by default, so a modem reset into V0 is still understood.
    // Only a code ended by CR alone counts (V0 sends "3<CR>"); "<CR><LF>3<CR><LF>"
    // is verbose information text, such as the answer "3" to AT+FTH=?. Whether an LF
    // follows is known at the next byte or at the next poll().
    void set_numeric_results(bool on) { numeric_ = on; }

    // Data mode (see the top of this file).
    void enter_data_mode(DataSink sink);
    // Back to line mode (needed for raw sinks; a decoded sink leaves by itself).
    void leave_data_mode();
    bool in_data_mode() const { return data_mode_; }
    // Writes bytes as they are (already DLE-stuffed by the caller).
    void send_data(const std::uint8_t* data, std::size_t n) { line_.write(data, n); }
    void send_data(const std::vector<std::uint8_t>& bytes) { line_.write(bytes); }
    // Writes a line of text + CR outside a request (e.g. an abort character).
    void send_raw(std::string_view text) { line_.write(text); }

    // Checks the waiting request's deadline against the Clock; call often.
    void poll();

    // How long a garbage run may get before the waiting request fails with
    // AtResult::Garbage (unreadable lines, or bytes with no line end).
    static constexpr std::size_t max_garbage_lines = 8;
    static constexpr std::size_t max_line_length = 1024;

  private:
    struct Pending {
        AtRequest request;
        ResponseHandler done;
        Command* awaiter = nullptr;  // instead of `done`: resume this coroutine
        TimePoint deadline;
        AtResponse response;
        std::size_t garbage_lines = 0;
        std::string last_garbage;
    };

    void submit(AtRequest request, ResponseHandler done, Command* awaiter);
    void on_bytes(const std::uint8_t* data, std::size_t n);
    void on_line_failed(const std::string& message);
    void handle_line(const std::string& line, bool numeric_allowed);
    bool resolve_held();  // false when the channel was destroyed
    void handle_garbage(const std::string& line);
    void finish(AtResult result, std::string final_line, std::string error = {});
    bool is_unsolicited(const std::string& line) const;
    std::optional<AtResult> final_code(const std::string& line, bool numeric) const;

    SerialLine& line_;
    const Clock& clock_;
    std::optional<Pending> pending_;
    std::string partial_;  // bytes of a line not yet ended
    // A line ended by CR: an LF right after it is part of the line end (and not
    // data after CONNECT).
    bool skip_lf_ = false;
    // A possible numeric result ended by CR, waiting to see whether LF follows.
    std::optional<std::string> held_;
    bool numeric_ = true;
    std::vector<std::string> extra_finals_;
    std::vector<std::string> unsolicited_;
    LineHandler on_unsolicited_;
    ErrorHandler on_error_;

    bool data_mode_ = false;
    DataSink sink_;
    DleDecoder decoder_;
    std::vector<std::uint8_t> decoded_;
    bool closed_request_ = false;  // the waiting request was made on a closed line
    // Handlers may destroy the channel; code after a callback checks this.
    std::shared_ptr<bool> alive_;
};

// The awaitable of AtChannel::command/expect.
class AtChannel::Command {
  public:
    Command(AtChannel& channel, AtRequest request)
        : channel_(&channel), request_(std::move(request)) {}
    ~Command();  // withdraws the request when it still waits
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting);
    AtResponse await_resume() { return std::move(response_); }

    // The request (before it is sent); whether the answer is in.
    const AtRequest& request() const { return request_; }
    bool done() const { return done_; }

  private:
    friend class AtChannel;
    AtChannel* channel_;  // null once the channel let go of the request
    AtRequest request_;
    std::coroutine_handle<> awaiting_;
    AtResponse response_;
    bool waiting_ = false;
    bool done_ = false;
};

}  // namespace faxemu
