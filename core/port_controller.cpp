#include "core/port_controller.hpp"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"

namespace faxemu {

PortController::PortController(Port& port, Device& device, const Clock& clock,
                               std::filesystem::path received_dir, CallObserver& observer,
                               FileModes modes)
    : port_(port),
      device_(device),
      clock_(clock),
      received_dir_(std::move(received_dir)),
      observer_(observer),
      modes_(modes) {
    device_.set_listener(this);
    port_.update_status([](PortStatus& s) {
        s.device_status = Fps::Available;
        s.description = std::string(to_string(Fps::Available));
    });
}

bool PortController::can_send() const {
    return port_.Send() && device_.idle() && !call_ && device_.health().available;
}

std::string PortController::tsid_for(const SendRequest& request, bool use_device_tsid) const {
    return (use_device_tsid || request.tsid.empty()) ? port_.Tsid() : request.tsid;
}

void PortController::send(const SendRequest& request, bool use_device_tsid) {
    if (!can_send())
        throw FaxError(ErrorCode::DeviceInUse, "port " + port_.Name() + " is not free to send");
    OutboundCall call;
    call.number = dial_rules_.dial_string(request.number);
    call.document = request.document;
    call.first_page = request.first_page;
    call.session = options_;
    call.session.local_ident = tsid_for(request, use_device_tsid);
    page_total_ = request.page_count;
    CallRecord rec;
    rec.device_id = port_.DeviceId();
    rec.outbound = true;
    rec.number = request.number;
    rec.dialled = call.number;
    rec.file = request.document;
    rec.start_time = clock_.now();
    call_ = rec;
    ended_at_.reset();
    port_.update_status([&](PortStatus& s) {
        s = PortStatus{};  // update_status keeps the port's identity
        s.device_status = Fps::Dialing;
        s.description = "Dialing " + request.number;
        s.send = true;
        s.address = request.number;
        s.tsid = call.session.local_ident;
        s.document_name = request.document_name;
        s.document_size = request.document_size;
        s.page_count = request.page_count;
        s.sender_name = request.sender_name;
        s.recipient_name = request.recipient_name;
        s.submitted_time = request.submitted_time;
        s.start_time = rec.start_time;
    });
    observer_.call_started(*call_);
    device_.dial(call);
}

void PortController::on_ring(int ring_count, const std::string& caller_id) {
    const bool answer = port_.Receive() && ring_count >= port_.Rings() && !call_;
    port_.update_status([&](PortStatus& s) {
        if (ring_count == 1) s = PortStatus{};  // update_status keeps the port's identity
        s.device_status = answer ? Fps::Answered : Fps::Ringing;
        s.description =
            fmt::format("{} (ring {}, answers after {}{})", to_string(s.device_status), ring_count,
                        port_.Rings(), port_.Receive() ? "" : "; Receive is off");
        s.caller_id = caller_id;
    });
    if (!answer) return;
    make_directories(received_dir_, modes_.dir);
    CallRecord rec;
    rec.device_id = port_.DeviceId();
    rec.outbound = false;
    rec.number = caller_id;
    auto stamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
    rec.file = received_dir_ / fmt::format("fax-{}-{:%Y%m%dT%H%M%S}-{}.tif", port_.DeviceId(),
                                           stamp, ++rx_sequence_);
    // The device's TIFF writer truncates this file and so keeps its mode. If it
    // cannot be made here, the device fails to open it too and says so.
    if (const int fd =
            ::open(rec.file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, modes_.file);
        fd >= 0) {
        ::fchmod(fd, modes_.file);
        ::close(fd);
    }
    rec.start_time = clock_.now();
    call_ = rec;
    ended_at_.reset();
    page_total_ = 0;
    InboundCall in;
    in.rx_file = rec.file;
    in.session = options_;
    in.session.local_ident = port_.Csid();
    observer_.call_started(*call_);
    device_.answer(in);
}

void PortController::on_connected() {
    if (!call_) return;
    connected_ = true;
    stalled_.clear();
    moved();
    const bool out = call_->outbound;
    port_.update_status([&](PortStatus& s) {
        s.device_status = out ? Fps::Sending : Fps::Receiving;
        s.send = out;
        s.receive = !out;
        s.start_time = clock_.now();
        s.current_page = 1;
        if (!out) s.csid = port_.Csid();
        s.description = describe(out ? "Sending" : "Receiving", 1, page_total_);
    });
}

std::string PortController::describe(const char* verb, int page, int total) const {
    std::string d = total > 0 ? fmt::format("{} page {} of {}", verb, page, total)
                              : fmt::format("{} page {}", verb, page);
    if (call_ && call_->session.bit_rate > 0) {
        const DcsInfo& n = call_->session;
        d += fmt::format(" at {} bit/s ({}, {}, {}{})", n.bit_rate, n.modulation, n.resolution,
                         n.compression, n.ecm ? ", ECM" : "");
    }
    return d;
}

void PortController::moved() {
    last_moved_ = clock_.now();
    progress_seen_ = device_.call_progress();
}

void PortController::watch(Duration stall_timeout) {
    if (!call_ || !connected_ || !stalled_.empty() || stall_timeout <= Duration::zero()) return;
    if (device_.call_progress() != progress_seen_) return moved();
    if (clock_.now() - last_moved_ < stall_timeout) return;
    stalled_ = fmt::format(
        "no progress for {} s (no T.30 frame, no image data): hung up by the call watchdog",
        std::chrono::duration_cast<std::chrono::seconds>(stall_timeout).count());
    device_.hangup();  // on_call_ended follows (at once, or when the modem has hung up)
}

void PortController::on_session_event(const SessionEvent& e) {
    if (!call_) return;
    moved();
    const bool out = call_->outbound;
    call_->session = e.session;
    call_->remote_ident = e.remote_ident;
    call_->pages = e.pages_done;
    if (!e.page_damage.empty()) call_->damaged_pages.push_back(e.page_damage);
    if (out && e.pages_total > 0) page_total_ = std::max(page_total_, e.pages_total);
    observer_.call_progress(*call_, e);
    if (e.kind == SessionEvent::Kind::Finished) return;  // on_call_ended follows
    // The page now on the line: the next one, unless the last has been done.
    const bool more = out ? page_total_ == 0 || e.pages_done < page_total_ : !e.last_page;
    const int page = more ? e.pages_done + 1 : std::max(e.pages_done, 1);
    port_.update_status([&](PortStatus& s) {
        if (out)
            s.csid = e.remote_ident;
        else
            s.tsid = e.remote_ident;
        s.bit_rate = e.session.bit_rate;
        s.modulation = e.session.modulation;
        s.resolution = e.session.resolution;
        s.compression = e.session.compression;
        s.ecm = e.session.ecm;
        s.current_page = page;
        // Inbound, the total is unknown until the sender says EOP.
        s.page_count = out ? page_total_ : 0;
        s.description = describe(out ? "Sending" : "Receiving", page, out ? page_total_ : 0);
    });
}

void PortController::on_call_ended(const CallOutcome& outcome) {
    if (!call_) {
        // A call that rang and went away before we answered it.
        port_.update_status([&](PortStatus& s) {
            s.device_status = Fps::Available;
            s.description = "Available (missed call: " + outcome.cause_text + ")";
        });
        return;
    }
    CallRecord rec = std::move(*call_);
    call_.reset();
    connected_ = false;
    rec.outcome = outcome;
    if (!stalled_.empty()) {
        // A stalled call is a line failure (noise holding a carrier up, a far end
        // gone quiet): retried like a dropped line. T.30's own cause is kept.
        rec.outcome.status = Fps::Disconnected;
        rec.outcome.failure = FailureClass::LineDropped;
        rec.outcome.cause_text =
            outcome.cause_text.empty() ? stalled_ : stalled_ + "; T.30: " + outcome.cause_text;
        stalled_.clear();
    }
    // T.30 went through, but a page came without its end: the fax is not whole.
    if (!rec.outbound && !rec.damaged_pages.empty()) {
        const std::string damage = fmt::format("{}", fmt::join(rec.damaged_pages, "; "));
        if (outcome.ok()) {
            rec.outcome.status = Fps::Disconnected;
            rec.outcome.failure = FailureClass::LineDropped;
            rec.outcome.cause_text = damage;
        } else {
            rec.outcome.cause_text += "; " + damage;
        }
    }
    const CallOutcome& ended = rec.outcome;
    rec.pages = ended.pages_done;
    rec.end_time = clock_.now();
    ended_at_ = rec.end_time;
    port_.update_status([&](PortStatus& s) {
        s.device_status = ended.status;
        s.send = false;
        s.receive = false;
        s.current_page = ended.pages_done;
        if (!rec.outbound) s.page_count = ended.pages_done;
        s.description =
            ended.ok()
                ? fmt::format("{}: {} page{} {}", to_string(ended.status), ended.pages_done,
                              ended.pages_done == 1 ? "" : "s", rec.outbound ? "sent" : "received")
                : fmt::format("{}: {} ({} page{} done)", to_string(ended.status), ended.cause_text,
                              ended.pages_done, ended.pages_done == 1 ? "" : "s");
    });
    observer_.call_ended(rec);
}

void PortController::poll(Duration linger, Duration stall_timeout) {
    watch(stall_timeout);
    if (call_) return;
    // A modem that went away (or came back) shows on the port between calls.
    // An unavailable modem device is never idle, so health comes before idle().
    const DeviceHealth health = device_.health();
    if (health.description != port_.device_description())
        port_.set_device_description(health.description);
    const PortStatus shown = port_.GetStatus(clock_);
    const bool shown_unavailable = shown.device_status == Fps::Unavailable;
    if (!health.available && (!shown_unavailable || shown.description != health.reason)) {
        ended_at_.reset();
        port_.update_status([&](PortStatus& s) {
            s = PortStatus{};  // update_status keeps the port's identity
            s.device_status = Fps::Unavailable;
            s.description = health.reason;
        });
        return;
    }
    if (health.available && shown_unavailable) {
        port_.update_status([](PortStatus& s) {
            s = PortStatus{};
            s.device_status = Fps::Available;
            s.description = std::string(to_string(Fps::Available));
        });
        return;
    }
    // Ringing (not answered yet) or winding down: the device's events keep the status.
    if (!device_.idle()) return;
    if (!ended_at_ || clock_.now() - *ended_at_ < linger) return;
    ended_at_.reset();
    port_.update_status([](PortStatus& s) {
        s = PortStatus{};  // update_status keeps the port's identity
        s.device_status = Fps::Available;
        s.description = std::string(to_string(Fps::Available));
    });
}

}  // namespace faxemu
