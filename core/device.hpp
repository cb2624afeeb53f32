// The Device seam: what a port drives. Simulated ports, Class 1 and Class 2/2.0
// modems all implement it; the port's controller sees one uniform stream of
// ring, session and end-of-call events whatever the device.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/call_outcome.hpp"
#include "core/t30_session.hpp"

namespace faxemu {

struct OutboundCall {
    std::string number;
    std::filesystem::path document;  // a TIFF-F as Document::write_fax_tiff makes it
    int first_page = 0;              // 0-based; a retry resends only what is left
    int last_page = -1;
    SessionConfig session;  // local_ident is our TSID
};

struct InboundCall {
    std::filesystem::path rx_file;  // where the received pages are written
    SessionConfig session;          // local_ident is our CSID
};

class DeviceListener {
  public:
    virtual ~DeviceListener() = default;
    virtual void on_ring(int ring_count, const std::string& caller_id) = 0;
    // The line is up and T.30 starts (the far end answered, or we did).
    virtual void on_connected() = 0;
    virtual void on_session_event(const SessionEvent& event) = 0;
    // The device is idle again; a received file is closed and complete on disk.
    virtual void on_call_ended(const CallOutcome& outcome) = 0;
};

// Whether a device can take calls. A modem that does not answer, answers garbage
// or has vanished is unavailable with a reason; the device keeps retrying by
// itself (on its Clock) and becomes available again when the modem is back.
struct DeviceHealth {
    bool available = true;
    std::string reason;       // why not available (names the device), empty when available
    std::string description;  // what the device is, e.g. "Class 1 modem on /dev/ttyS0: ..."
};

class Device {
  public:
    virtual ~Device() = default;
    virtual std::string kind() const = 0;
    // Devices with their own timers and I/O (modems) do their work here; the
    // owner calls it at least every 20 ms (in virtual-time tests, every step).
    virtual void poll() {}
    virtual DeviceHealth health() const { return {}; }
    virtual void set_listener(DeviceListener* listener) = 0;
    virtual void dial(const OutboundCall& call) = 0;
    virtual void answer(const InboundCall& call) = 0;
    virtual void hangup() = 0;
    virtual bool idle() const = 0;
    // A figure that changes whenever the call in progress moves data: frames,
    // image rows or bytes. The port's call watchdog takes a change as progress
    // (a slow page sends no session event for minutes); a device that cannot
    // tell keeps it constant and then lives on session events alone.
    virtual std::uint64_t call_progress() const { return 0; }
};

}  // namespace faxemu
