#include "core/fax_tiff_tags.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <tiffio.h>

#include <memory>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/job.hpp"
#include "core/received_fax.hpp"

namespace faxemu {

namespace fs = std::filesystem;

namespace {

// libtiff writes only tags it knows: ours are made known to every TIFF opened
// in this process (an extender, chained to any earlier one).
const TIFFFieldInfo kFields[] = {
    {kFaxTagCsid, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, const_cast<char*>("FaxemuCsid")},
    {kFaxTagCallerId, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, const_cast<char*>("FaxemuCallerId")},
    {kFaxTagRouting, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, const_cast<char*>("FaxemuRouting")},
    {kFaxTagRecipientNumber, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0,
     const_cast<char*>("FaxemuRecipientNumber")},
    {kFaxTagRecipientName, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0,
     const_cast<char*>("FaxemuRecipientName")},
    {kFaxTagSenderName, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0,
     const_cast<char*>("FaxemuSenderName")},
    {kFaxTagReceiveTime, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0,
     const_cast<char*>("FaxemuReceiveTime")},
};

TIFFExtendProc g_previous = nullptr;

void extend(TIFF* tif) {
    TIFFMergeFieldInfo(tif, kFields, sizeof kFields / sizeof kFields[0]);
    if (g_previous) g_previous(tif);
}

void register_tags() {
    static const bool once = [] {
        g_previous = TIFFSetTagExtender(extend);
        return true;
    }();
    (void)once;
}

struct TiffCloser {
    void operator()(TIFF* t) const { TIFFClose(t); }
};

void set_text(TIFF* tif, const fs::path& file, std::uint32_t tag, const std::string& value) {
    if (value.empty()) return;
    if (TIFFSetField(tif, tag, value.c_str()) != 1)
        throw FaxError(ErrorCode::Io,
                       file.string() + ": cannot set TIFF tag " + std::to_string(tag));
}

}  // namespace

void record_fax_tiff_info(const fs::path& file, const FaxTiffInfo& info) {
    register_tags();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(info.time);
    const std::string date_time = fmt::format("{:%Y:%m:%d %H:%M:%S}", seconds);
    const std::string iso = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", seconds);

    const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    Folder folder(dir);
    // The fax keeps its mode (faxd's received files may be private).
    const auto mode = static_cast<mode_t>(fs::status(file).permissions() & fs::perms::mask);
    AtomicFile out(folder.fd(), dir, file.filename().string(), mode);
    out.copy_from(file);
    {
        // The copy's directories are rewritten in place; the strips stay
        // where they are, byte for byte.
        std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(out.temp_path().c_str(), "r+"));
        if (!tif) throw FaxError(ErrorCode::Io, file.string() + ": cannot open as TIFF");
        const tdir_t pages = TIFFNumberOfDirectories(tif.get());
        for (tdir_t page = 0; page < pages; ++page) {
            if (TIFFSetDirectory(tif.get(), page) != 1)
                throw FaxError(ErrorCode::Io,
                               file.string() + ": cannot read page " + std::to_string(page + 1));
            TIFF* t = tif.get();
            set_text(t, file, TIFFTAG_SOFTWARE, "faxemu faxd");
            set_text(t, file, TIFFTAG_IMAGEDESCRIPTION, info.tsid);
            set_text(t, file, TIFFTAG_DATETIME, date_time);
            if (TIFFSetField(t, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(page),
                             static_cast<std::uint16_t>(pages)) != 1)
                throw FaxError(ErrorCode::Io, file.string() + ": cannot set PageNumber");
            set_text(t, file, kFaxTagCsid, info.csid);
            set_text(t, file, kFaxTagCallerId, info.caller_id);
            set_text(t, file, kFaxTagRouting, info.routing);
            set_text(t, file, kFaxTagRecipientNumber, info.recipient_number);
            set_text(t, file, kFaxTagRecipientName, info.recipient_name);
            set_text(t, file, kFaxTagSenderName, info.sender_name);
            set_text(t, file, kFaxTagReceiveTime, iso);
            if (TIFFRewriteDirectory(t) != 1)
                throw FaxError(ErrorCode::Io, file.string() + ": cannot rewrite page " +
                                                  std::to_string(page + 1) + "'s tags");
        }
        if (TIFFFlush(tif.get()) != 1)
            throw FaxError(ErrorCode::Io, file.string() + ": cannot write the tags");
    }
    out.replace(file.filename().string());
}

FaxTiffInfo sent_fax_tiff_info(const Job& job, const std::string& tsid,
                               const std::string& remote_csid, TimePoint sent) {
    FaxTiffInfo info;
    info.tsid = tsid;
    info.csid = remote_csid;
    info.recipient_number = job.fax_number;
    info.recipient_name = job.recipient_name;
    info.sender_name = job.sender_name;
    info.time = sent;
    return info;
}

FaxTiffInfo received_fax_tiff_info(const ReceivedFax& fax, const std::string& routing) {
    FaxTiffInfo info;
    info.csid = fax.csid;
    info.tsid = fax.remote_ident;
    info.caller_id = fax.caller_id;
    info.routing = routing;
    info.time = fax.start;
    return info;
}

}  // namespace faxemu
