#include "devices/serial/modem_line.hpp"

#include <algorithm>

#include "devices/serial/uucp_lock.hpp"

namespace faxemu {

namespace {

constexpr Duration kCommandTimeout = std::chrono::seconds(5);

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
    : io_(io),
      clock_(clock),
      config_(config),
      user_(user),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)) {}

ModemLine::~ModemLine() {
    alive_.reset();
    bring_up_.reset();
    at_.reset();
    if (serial_) serial_->close();
    serial_.reset();
    graveyard_.clear();
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
        SerialSettings settings = options_.serial;
        settings.baud = config_.baud;
        serial_ = std::make_unique<SerialLine>(io_, config_.device, settings);
        serial_->open();
    } catch (const std::exception& e) {
        set_unavailable(e.what());
        return;
    }
    at_ = std::make_unique<AtChannel>(*serial_, clock_);
    std::weak_ptr<bool> alive = alive_;
    AtChannel* channel = at_.get();
    // A closed channel may still finish the read it is in: its lines no longer count.
    at_->set_unsolicited_handler([this, alive, channel](const std::string& l) {
        if (!alive.expired() && at_.get() == channel) on_unsolicited(l);
    });
    at_->set_error_handler([this, alive, channel](const std::string& m) {
        if (!alive.expired() && at_.get() == channel) set_unavailable(m);
    });
    bring_up_ = bring_up();
    bring_up_.start([this] { brought_up(); });
}

Task<std::string> ModemLine::bring_up() {
    ModemProbe probe(*at_, options_.probe);
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
        const AtResponse r = co_await at_->command(c.command, kCommandTimeout);
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
    std::weak_ptr<bool> alive = alive_;
    user_.on_unavailable(why);
    if (!alive.expired()) close();
}

void ModemLine::close() {
    if (at_) at_->cancel();
    bring_up_.reset();
    if (serial_) {
        serial_->close();
        read_before_ += serial_->bytes_read();
        written_before_ += serial_->bytes_written();
    }
    // These may be on the stack (we can be inside their handlers): free them later.
    if (at_) graveyard_.push_back(std::shared_ptr<AtChannel>(std::move(at_)));
    if (serial_) graveyard_.push_back(std::shared_ptr<SerialLine>(std::move(serial_)));
    lock_.reset();
    deferred_ = nullptr;
}

// --- poll, idle check, rings -------------------------------------------------------

bool ModemLine::poll() {
    // Front to back: a channel dies before the line it reads.
    while (!graveyard_.empty()) graveyard_.erase(graveyard_.begin());
    const TimePoint now = clock_.now();
    if (state_ == ModemState::Closed || (state_ == ModemState::Unavailable && now >= retry_at_)) {
        open();
        return false;
    }
    if (state_ == ModemState::Unavailable) return false;
    std::weak_ptr<bool> alive = alive_;
    if (at_) at_->poll();
    if (alive.expired() || !available()) return false;
    if (user_.ringing() && now - last_ring_ > config_.ring_gap) {
        ring_count_ = 0;
        user_.on_ring_stopped();
        if (alive.expired() || !available()) return false;
    }
    if (state_ == ModemState::Ready && user_.call_idle() && config_.idle_check.count() > 0 &&
        now >= next_check_ && at_ && !at_->busy())
        idle_check();
    return !alive.expired() && available();
}

void ModemLine::idle_check() {
    next_check_ = clock_.now() + config_.idle_check;
    command("AT", kCommandTimeout, [this](const AtResponse& r) {
        if (!r.answered()) return set_unavailable(r.error.empty() ? "no answer to AT" : r.error);
        if (auto fn = std::move(deferred_)) {
            deferred_ = nullptr;
            fn();
        }
    });
}

void ModemLine::when_free(std::function<void()> fn) {
    if (at_ && at_->busy())
        deferred_ = std::move(fn);
    else
        fn();
}

void ModemLine::cancel() {
    deferred_ = nullptr;
    if (at_) at_->cancel();
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

AtChannel::ResponseHandler ModemLine::traced(AtChannel::ResponseHandler done) {
    std::weak_ptr<bool> alive = alive_;
    return [this, alive, done = std::move(done)](const AtResponse& r) {
        if (alive.expired()) return;
        trace_response(r);
        done(r);
    };
}

void ModemLine::trace_response(const AtResponse& r) const {
    trace("<- " + (r.lines.empty() ? "" : r.text() + "; ") + r.final_line +
          (r.error.empty() ? "" : " (" + r.error + ")"));
}

void ModemLine::command(const std::string& cmd, Duration timeout, AtChannel::ResponseHandler done) {
    if (!at_) return;
    trace("-> " + cmd);
    at_->command(cmd, timeout, traced(std::move(done)));
}

void ModemLine::expect(Duration timeout, AtChannel::ResponseHandler done) {
    if (!at_) return;
    at_->expect(timeout, traced(std::move(done)));
}

Task<AtResponse> ModemLine::exchange(std::string cmd, Duration timeout) {
    if (!at_) {
        AtResponse gone;
        gone.result = AtResult::Vanished;
        gone.error = name() + ": the line is closed";
        co_return gone;
    }
    if (!cmd.empty()) trace("-> " + cmd);
    const AtResponse r = co_await at_->command(std::move(cmd), timeout);
    trace_response(r);
    co_return r;
}

// --- counters ----------------------------------------------------------------------

std::uint64_t ModemLine::bytes_read() const {
    return read_before_ + (serial_ ? serial_->bytes_read() : 0);
}

std::uint64_t ModemLine::bytes_written() const {
    return written_before_ + (serial_ ? serial_->bytes_written() : 0);
}

bool ModemLine::output_in_flight() const {
    return serial_ && serial_->is_open() && serial_->pending_write_bytes() > 0 &&
           !serial_->output_paused();
}

bool ModemLine::is_open() const {
    return serial_ && serial_->is_open();
}

}  // namespace faxemu
