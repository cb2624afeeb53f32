#include "devices/serial/modem_line.hpp"

#include <algorithm>

#include "devices/serial/uucp_lock.hpp"

namespace faxemu {

namespace {

constexpr Duration kCommandTimeout = std::chrono::seconds(5);

SerialSettings serial_settings(SerialSettings settings, unsigned baud) {
    settings.baud = baud;
    return settings;
}

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

// "NMBR = 5551234" / "NMBR=\"5551234\"" -> "5551234".
std::string caller_id_of(const std::string& line) {
    const auto eq = line.find('=');
    std::string id = line.substr(eq == std::string::npos ? 4 : eq + 1);
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\r'; };
    while (!id.empty() && blank(id.back())) id.pop_back();
    id.erase(0, std::find_if_not(id.begin(), id.end(), blank) - id.begin());
    return id;
}

}  // namespace

const char* to_string(ModemState state) {
    switch (state) {
        case ModemState::Closed:
            return "closed";
        case ModemState::Probing:
            return "probing";
        case ModemState::Ready:
            return "ready";
        case ModemState::Dialing:
            return "dialing";
        case ModemState::Ringing:
            return "ringing";
        case ModemState::Answering:
            return "answering";
        case ModemState::InCall:
            return "in call";
        case ModemState::HangingUp:
            return "hanging up";
        case ModemState::Unavailable:
            return "unavailable";
    }
    return "unknown";
}

ModemLine::ModemLine(asio::io_context& io, const Clock& clock, const ModemLineConfig& config,
                     ModemLineUser& user, ModemLineOptions options)
    : clock_(clock),
      config_(config),
      user_(user),
      options_(std::move(options)),
      serial_(io, config.device, serial_settings(options_.serial, config.baud)),
      at_(serial_, clock) {
    at_.set_unsolicited_handler([this](const std::string& l) { on_unsolicited(l); });
    at_.set_error_handler([this](const std::string& m) {
        if (up_) set_unavailable(m);
    });
}

ModemLine::~ModemLine() {
    // The coroutines first: they withdraw what they wait for from the channel.
    free_waiter_ = {};
    bring_up_.reset();
    idle_.reset();
    serial_.close();
}

std::string ModemLine::name() const {
    if (!config_.name.empty()) return config_.name;
    return options_.default_name.empty() ? config_.device.string() : options_.default_name;
}

void ModemLine::trace(const std::string& text) const {
    if (config_.trace) config_.trace(name() + ": " + text);
}

DeviceHealth ModemLine::health() const {
    DeviceHealth h;
    h.available = available();
    h.reason = reason_;
    if (!h.available && h.reason.empty()) h.reason = "opening " + config_.device.string();
    h.description = description_;
    return h;
}

// --- opening, probing, initialising ----------------------------------------------

void ModemLine::open() {
    state_ = ModemState::Probing;
    reason_.clear();
    trace("opening");
    try {
        if (!config_.lock_dir.empty())
            lock_ = std::make_unique<UucpLock>(UucpLock::acquire(config_.device, config_.lock_dir));
        serial_.open();
    } catch (const std::exception& e) {
        set_unavailable(e.what());
        return;
    }
    up_ = true;
    bring_up_ = bring_up();
    bring_up_.start([this] { brought_up(); });
}

Task<std::string> ModemLine::bring_up() {
    ModemProbe probe(at_, options_.probe);
    const ProbeResult result = co_await probe.run();
    if (!result.ok()) co_return result.failure.message;
    ModemSetup setup = user_.setup(*result.identity);
    description_ = setup.description;
    if (!setup.refusal.empty()) co_return setup.refusal;
    std::vector<ModemInitCommand> init;
    for (const std::string& c : config_.init_commands) init.push_back({c, false});
    for (ModemInitCommand& c : setup.init) init.push_back(std::move(c));
    for (const ModemInitCommand& c : init) {
        trace("-> " + c.command);
        const AtResponse r = co_await at_.command(c.command, kCommandTimeout);
        trace_response(r);
        if (!r.answered()) co_return r.error.empty() ? "no answer to " + c.command : r.error;
        if (r.ok()) continue;
        if (c.essential) co_return "the modem answered " + r.final_line + " to " + c.command;
        trace("init: " + c.command + " answered " + r.final_line + " (not needed)");
    }
    co_return std::string{};
}

// The bring-up's frame has stopped: free it, then act on what it found.
void ModemLine::brought_up() {
    const std::string why = bring_up_.result();
    bring_up_.reset();
    if (!why.empty()) return set_unavailable(why);
    state_ = ModemState::Ready;
    next_check_ = clock_.now() + config_.idle_check;
    user_.on_ready();
}

// --- availability ----------------------------------------------------------------

void ModemLine::set_unavailable(const std::string& reason) {
    const bool named = reason.find(config_.device.string()) != std::string::npos ||
                       reason.find(name()) != std::string::npos;
    const std::string why = named ? reason : name() + ": " + reason;
    trace("unavailable: " + why);
    state_ = ModemState::Unavailable;
    reason_ = why;
    retry_at_ = clock_.now() + config_.retry_delay;
    user_.on_unavailable(why);
    close();
}

// Resets rather than destroys: we may be inside the channel's read or one of the
// coroutines it resumed.
void ModemLine::close() {
    bring_up_.reset();
    up_ = false;
    at_.reset();
    serial_.close();
    lock_.reset();
    drop_idle_check();
}

// --- poll, idle check, rings -------------------------------------------------------

bool ModemLine::poll() {
    const TimePoint now = clock_.now();
    if (state_ == ModemState::Closed || (state_ == ModemState::Unavailable && now >= retry_at_)) {
        open();
        return false;
    }
    if (state_ == ModemState::Unavailable) return false;
    if (up_) at_.poll();
    if (!available()) return false;
    if (user_.ringing() && now - last_ring_ > config_.ring_gap) {
        ring_count_ = 0;
        user_.on_ring_stopped();
        if (!available()) return false;
    }
    if (state_ == ModemState::Ready && user_.call_idle() && config_.idle_check.count() > 0 &&
        now >= next_check_ && up_ && !at_.busy())
        idle_check();
    return available();
}

void ModemLine::idle_check() {
    next_check_ = clock_.now() + config_.idle_check;
    idle_ = check_idle();
    idle_.start([this] { idle_checked(); });
}

Task<std::string> ModemLine::check_idle() {
    const AtResponse r = co_await exchange("AT", kCommandTimeout);
    if (r.answered()) co_return std::string{};
    co_return r.error.empty() ? "no answer to AT" : r.error;
}

// The idle check's frame has stopped: free it, act on what it found, then let a
// waiting call go on.
void ModemLine::idle_checked() {
    std::string why;
    try {
        why = idle_.result();
    } catch (const std::exception& e) {
        why = std::string("internal error: ") + e.what();
    }
    idle_.reset();
    if (!why.empty()) set_unavailable(why);
    drop_idle_check();
}

// Drops the idle check (its frame has stopped or waits on a channel that let go of
// it), then lets a waiting call go on: the channel is free for it.
void ModemLine::drop_idle_check() {
    idle_.reset();
    if (std::coroutine_handle<> waiter = std::exchange(free_waiter_, {})) waiter.resume();
}

ModemLine::FreeWait ModemLine::until_free() {
    return FreeWait(*this);
}

void ModemLine::cancel() {
    idle_.reset();  // withdraws its "AT"
    at_.cancel();
    drop_idle_check();
}

void ModemLine::back_to_idle() {
    next_check_ = clock_.now() + config_.idle_check;
}

void ModemLine::on_unsolicited(const std::string& l) {
    if (starts_with(l, "RING") && !starts_with(l, "RINGING")) {
        if (!user_.takes_ring()) return;
        const TimePoint now = clock_.now();
        if (!user_.ringing() || now - last_ring_ > config_.ring_gap) {
            ring_count_ = 0;
            caller_id_.clear();
        }
        last_ring_ = now;
        ++ring_count_;
        ++rings_total_;
        trace("RING " + std::to_string(ring_count_));
        user_.on_ring(ring_count_, caller_id_);
        return;
    }
    if (starts_with(l, "NMBR")) {
        caller_id_ = caller_id_of(l);
        return;
    }
    user_.on_unsolicited(l);
}

// --- AT exchanges ------------------------------------------------------------------

void ModemLine::trace_response(const AtResponse& r) const {
    trace("<- " + (r.lines.empty() ? "" : r.text() + "; ") + r.final_line +
          (r.error.empty() ? "" : " (" + r.error + ")"));
}

Task<AtResponse> ModemLine::exchange(std::string cmd, Duration timeout) {
    if (!up_) {
        AtResponse gone;
        gone.result = AtResult::Vanished;
        gone.error = name() + ": the line is closed";
        co_return gone;
    }
    if (!cmd.empty()) trace("-> " + cmd);
    const AtResponse r = co_await at_.command(std::move(cmd), timeout);
    trace_response(r);
    co_return r;
}

// --- counters ----------------------------------------------------------------------

// SerialLine counts across reopens.
std::uint64_t ModemLine::bytes_read() const {
    return serial_.bytes_read();
}

std::uint64_t ModemLine::bytes_written() const {
    return serial_.bytes_written();
}

bool ModemLine::output_in_flight() const {
    return up_ && serial_.is_open() && serial_.pending_write_bytes() > 0 &&
           !serial_.output_paused();
}

bool ModemLine::is_open() const {
    return up_ && serial_.is_open();
}

}  // namespace faxemu
