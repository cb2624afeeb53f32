// What faxcom's FaxTiff object (IFaxTiff) reads from a fax's TIFF: faxd
// records it in each received fax's file (and in each sent fax's archived
// copy) so that Windows clients can read a fax they hold with no connection
// to faxd. Which TIFF tag holds which member
// is in core/fax_tiff_tags.md (the COM shim reads the same numbers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/clock.hpp"

namespace faxemu {

struct Job;
struct ReceivedFax;

// Private tags, in TIFF's reusable private range (65000-65535): each holds
// ASCII text. The numbers are ours; faxcom's own are not documented.
enum FaxTiffTag : std::uint32_t {
    kFaxTagCsid = 65000,             // our CSID, as sent to the caller
    kFaxTagCallerId = 65001,         // the caller's number (caller id)
    kFaxTagRouting = 65002,          // routing string: the number the call came in on
    kFaxTagRecipientNumber = 65003,  // the number the fax was sent to
    kFaxTagRecipientName = 65004,
    kFaxTagSenderName = 65005,
    kFaxTagReceiveTime = 65006,  // reception start, ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ"
};

struct FaxTiffInfo {
    std::string csid;
    std::string tsid;  // the far end's TSID: ImageDescription
    std::string caller_id;
    std::string routing;
    std::string recipient_number;
    std::string recipient_name;
    std::string sender_name;
    TimePoint time{};  // reception start: DateTime (UTC) and kFaxTagReceiveTime
};

// Writes `info` into every page's directory of the TIFF `file`, plus
// Software and PageNumber (page, total), and leaves the page images as they
// were. The file is replaced atomically (a crash leaves the old or the new
// one, whole). Empty strings are not written. Throws FaxError on failure.
void record_fax_tiff_info(const std::filesystem::path& file, const FaxTiffInfo& info);

// What a received fax's file records: `routing` is the number the call came in
// on (the port's), faxcom's routing string.
FaxTiffInfo received_fax_tiff_info(const ReceivedFax& fax, const std::string& routing);

// What a sent fax's kept copy (the ArchiveOutboundFaxes copy) records: `tsid`
// is the TSID the call sent (the job's or the port's), `remote_csid` the CSID
// the far end answered with, `sent` when the call that delivered it began.
FaxTiffInfo sent_fax_tiff_info(const Job& job, const std::string& tsid,
                               const std::string& remote_csid, TimePoint sent);

}  // namespace faxemu
