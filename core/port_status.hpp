// A port's live status: every IFaxStatus field, kept up to date by the call
// running on the port. A FaxStatus object in the API is a snapshot of this.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/fax_codes.hpp"

namespace faxemu {

struct PortStatus {
    std::int32_t device_id = 0;
    std::string device_name;
    Fps device_status = Fps::Available;
    std::string description;  // human-readable; the FPS text plus detail (rate, cause)
    bool send = false;        // the port is sending now
    bool receive = false;     // the port is receiving now
    std::string caller_id;
    std::string csid;  // called station id of the call (remote's when sending, ours when receiving)
    std::string tsid;  // transmitting station id of the call
    std::string address;  // number dialled (outbound)
    std::string routing_string;
    std::string sender_name;
    std::string recipient_name;
    std::string document_name;
    std::int64_t document_size = 0;
    std::int32_t current_page = 0;  // 1-based; 0 when unknown
    std::int32_t page_count = 0;
    TimePoint start_time{};
    TimePoint submitted_time{};
    Duration elapsed_time{};  // since start_time, refreshed with the snapshot
    // Negotiated session (phase B): 0 / empty until known.
    int bit_rate = 0;
    std::string modulation;   // "V.17", "V.29", "V.27ter"
    std::string resolution;   // "standard", "fine", "superfine"
    std::string compression;  // "MH", "MR", "MMR"
    bool ecm = false;
};

}  // namespace faxemu
