// Phase C page data as it crosses a Class 2/2.0 DTE-DCE link: the raw T.4 (MH,
// MR) or T.6 (MMR) bit stream of one page, in the bit order +FBOR/+FBO selects.
// Pages are coded from TIFF-F files (as Document::write_fax_tiff and spandsp
// write them) through spandsp's t4_tx, and decoded through spandsp's t4_rx into
// a TIFF-F (stored as T.6, as every port stores received pages). The driver
// codes its documents and stores what the modem hands it; the virtual modem
// does the same on the other side of the link.
//
// Note (spandsp 0.0.6): a page is encoded whole when it starts and written whole
// when it ends (a few ms each); the driver calls these between AT exchanges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct t4_state_s;

namespace faxemu {

// Bit order of page data on the DTE-DCE link (+FBOR/+FBO bit 0).
//  Direct:   each byte's least significant bit is the first on the line (as
//            Class 1, and spandsp's own chunks).
//  Reversed: the most significant bit first (TIFF FillOrder MSB2LSB).
enum class Class2BitOrder { Direct, Reversed };

// df (0 MH, 1 MR, 3 MMR) to spandsp's T4_COMPRESSION_ITU_*; -1 when unsupported.
int t4_encoding_of_df(int df);
// wd code (0 = 1728, 1 = 2048, 2 = 2432 px) for a width in pixels; -1 when none.
int wd_of_width(int width);
int width_of_wd(int wd);

struct T4SourcePage {
    int width = 0;  // pixels
    int vr = 0;     // 0 = 98 lpi, 1 = 196 lpi, 2 = 391 lpi
};

class T4PageEncoder {
  public:
    // Pages [first_page, last_page] (0-based, -1 = to the end) of `tiff`. Throws
    // FaxError (Io when the file cannot be read, BadDocument "<path>: ..." when it
    // is not a bilevel TIFF or the range is empty), as Document::open does.
    explicit T4PageEncoder(const std::filesystem::path& tiff, int first_page = 0,
                           int last_page = -1);
    ~T4PageEncoder();
    T4PageEncoder(const T4PageEncoder&) = delete;
    T4PageEncoder& operator=(const T4PageEncoder&) = delete;

    int page_count() const { return static_cast<int>(pages_.size()); }
    int pages_done() const { return next_; }
    bool more() const { return next_ < page_count(); }
    const T4SourcePage& page(int i) const { return pages_.at(static_cast<std::size_t>(i)); }
    const T4SourcePage& next_page_info() const { return page(next_); }

    // The next page, whole (ending with RTC, or EOFB for MMR), coded as `df`
    // in `order`. Throws FaxError(BadDocument) when there is no next page or
    // spandsp cannot read it, FaxError(InvalidParameter) for an unsupported df.
    std::vector<std::uint8_t> encode_next(int df, Class2BitOrder order);

  private:
    std::filesystem::path path_;
    t4_state_s* t4_ = nullptr;
    std::vector<T4SourcePage> pages_;
    int next_ = 0;
};

struct T4ReceivedPage {
    int rows = 0;
    int bad_rows = 0;
    int longest_bad_run = 0;
    bool complete = false;  // RTC/EOFB was seen before the end of the data
};

class T4PageWriter {
  public:
    // Creates `path` (the folder must exist). Throws FaxError(Io) naming it.
    explicit T4PageWriter(const std::filesystem::path& path);
    ~T4PageWriter();  // close()
    T4PageWriter(const T4PageWriter&) = delete;
    T4PageWriter& operator=(const T4PageWriter&) = delete;

    void set_far_ident(const std::string& ident);

    // A page coded as `df` at `vr` and `width` px is about to arrive in `order`.
    // Throws FaxError(InvalidParameter) for an unsupported df, vr or width.
    void start_page(int df, int vr, int width, Class2BitOrder order);
    // Page data as the modem sent it (DLE codes already removed). True once the
    // end of the page (RTC/EOFB) has been seen; later bytes are ignored.
    bool put(const std::uint8_t* data, std::size_t n);
    // Writes the page into the file.
    T4ReceivedPage end_page();
    bool in_page() const { return in_page_; }
    int pages() const { return pages_; }

    // Finishes the file: complete on disk after this. A page still open is dropped.
    void close();

  private:
    std::filesystem::path path_;
    t4_state_s* t4_ = nullptr;
    Class2BitOrder order_ = Class2BitOrder::Direct;
    bool in_page_ = false;
    bool page_ended_ = false;
    int pages_ = 0;
    std::vector<std::uint8_t> scratch_;
};

}  // namespace faxemu
