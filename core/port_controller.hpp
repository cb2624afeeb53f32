// Runs the calls of one port: answers after Rings rings when Receive is on,
// dials for a send, and keeps the port's live status (IFaxStatus) true to the
// call from the device's events.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/device.hpp"
#include "core/dial_rules.hpp"
#include "core/file_modes.hpp"
#include "core/port.hpp"

namespace faxemu {

struct SendRequest {
    std::string number;
    std::filesystem::path document;  // a fax-shaped TIFF-F (Document::write_fax_tiff)
    std::string document_name;       // shown as DocumentName
    std::int64_t document_size = 0;
    int page_count = 0;
    int first_page = 0;  // resend only what is left
    std::string tsid;    // the sender's TSID; the port's is used when empty or UseDeviceTsid
    std::string sender_name;
    std::string recipient_name;
    TimePoint submitted_time{};
};

struct CallRecord {
    std::int32_t device_id = 0;
    bool outbound = false;
    std::string number;   // as the job gives it (outbound) or the caller id (inbound)
    std::string dialled;  // outbound: what the device dialled (DialRules::dial_string)
    std::string remote_ident;
    std::filesystem::path file;  // the document sent, or the received TIFF-F
    DcsInfo session;
    int pages = 0;
    TimePoint start_time{};
    TimePoint end_time{};
    CallOutcome outcome;
    // Received pages that may lack rows, each with why (SessionEvent::page_damage).
    std::vector<std::string> damaged_pages;
};

// Told of each call's life on a port: when it starts (dialled, or answered with
// the file it will be written to), each session event, and how it ended.
class CallObserver {
  public:
    virtual ~CallObserver() = default;
    virtual void call_started(const CallRecord&) {}
    virtual void call_progress(const CallRecord&, const SessionEvent&) {}
    virtual void call_ended(const CallRecord&) = 0;
};

class PortController final : private DeviceListener {
  public:
    // Received faxes are files in `received_dir` with modes.file, created
    // before the device writes them, so they are never more open than that.
    PortController(Port& port, Device& device, const Clock& clock,
                   std::filesystem::path received_dir, CallObserver& observer,
                   FileModes modes = {});

    Port& port() { return port_; }
    Device& device() { return device_; }
    // Free to start a send: idle, not ringing, Send on.
    bool can_send() const;
    bool busy() const { return !device_.idle(); }
    void send(const SendRequest& request, bool use_device_tsid);
    // The TSID a send of `request` identifies itself with (a page header shows it).
    std::string tsid_for(const SendRequest& request, bool use_device_tsid) const;

    // Session settings that faxcom does not expose (set from the config).
    SessionConfig& session_options() { return options_; }
    // How this port turns a job's number into what its device dials (the
    // outside-line prefix, local and international forms). Set from the config.
    DialRules& dial_rules() { return dial_rules_; }

    // Returns the status to Available once a finished call's outcome has been
    // shown for `linger`. The call watchdog: a connected call that has not moved
    // for `stall_timeout` (no session event, no frame, no image rows or bytes;
    // Device::call_progress) is hung up as a line failure. Zero turns it off.
    void poll(Duration linger, Duration stall_timeout = Duration::zero());

  private:
    void on_ring(int ring_count, const std::string& caller_id) override;
    void on_connected() override;
    void on_session_event(const SessionEvent& event) override;
    void on_call_ended(const CallOutcome& outcome) override;
    std::string describe(const char* verb, int page, int total) const;
    void moved();
    void watch(Duration stall_timeout);

    Port& port_;
    Device& device_;
    const Clock& clock_;
    std::filesystem::path received_dir_;
    CallObserver& observer_;
    FileModes modes_;
    SessionConfig options_;
    DialRules dial_rules_;
    std::optional<CallRecord> call_;
    std::optional<TimePoint> ended_at_;
    int page_total_ = 0;
    // The call watchdog: armed once the call is connected (before that the line's
    // own timers decide: no answer, busy).
    bool connected_ = false;
    TimePoint last_moved_{};
    std::uint64_t progress_seen_ = 0;
    std::string stalled_;  // why the watchdog hung up the call, empty if it did not
    std::uint64_t rx_sequence_ = 0;
};

}  // namespace faxemu
