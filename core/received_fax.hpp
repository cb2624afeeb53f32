// A fax that came in on a port, and what each routing method did with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace faxemu {

struct RoutingOutcome {
    std::string guid;  // the routing method
    std::string routing_data;
    bool done = false;                  // succeeded
    std::int32_t tries = 0;             // runs so far
    std::string detail;                 // what it did ("stored as /x/y.tif") or why it failed
    std::optional<TimePoint> next_try;  // when a failed method runs again; none: gave up or done
};

struct ReceivedFax {
    std::int64_t id = 0;
    std::int32_t device_id = 0;
    std::string port_name;
    std::string file;  // TIFF-F in the spool
    std::int32_t pages = 0;
    std::string remote_ident;  // the sender's TSID
    std::string caller_id;
    std::string csid;  // ours, as sent to the caller
    TimePoint start{};
    std::optional<TimePoint> end;  // none while receiving
    bool partial = false;          // the call failed or faxd died part way: only whole pages kept
    std::string status;            // "receiving", "completed", "partial", ...
    std::string cause_text;
    std::int32_t bit_rate = 0;
    std::string resolution;
    std::string compression;
    std::vector<RoutingOutcome> routing;
};

}  // namespace faxemu
