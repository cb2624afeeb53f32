#include "devices/class2_protocol/t4_stream.hpp"

#include <spandsp.h>

#include "core/bit_reversal.hpp"
#include "core/documents/document.hpp"
#include "core/error.hpp"

namespace faxemu {

int t4_encoding_of_df(int df) {
    switch (df) {
        case 0:
            return T4_COMPRESSION_ITU_T4_1D;
        case 1:
            return T4_COMPRESSION_ITU_T4_2D;
        case 3:
            return T4_COMPRESSION_ITU_T6;
        default:
            return -1;
    }
}

int wd_of_width(int width) {
    switch (width) {
        case 1728:
            return 0;
        case 2048:
            return 1;
        case 2432:
            return 2;
        default:
            return -1;
    }
}

int width_of_wd(int wd) {
    static constexpr int kWidths[] = {1728, 2048, 2432};
    return wd >= 0 && wd < 3 ? kWidths[wd] : -1;
}

namespace {

int vr_of_lpi(double lpi) {
    if (lpi < 147) return 0;
    if (lpi < 293) return 1;
    return 2;
}

int y_resolution_of_vr(int vr) {
    switch (vr) {
        case 0:
            return T4_Y_RESOLUTION_STANDARD;
        case 1:
            return T4_Y_RESOLUTION_FINE;
        case 2:
            return T4_Y_RESOLUTION_SUPERFINE;
        default:
            return -1;
    }
}

}  // namespace

T4PageEncoder::T4PageEncoder(const std::filesystem::path& tiff, int first_page, int last_page)
    : path_(tiff) {
    auto bad = [&](const std::string& why) {
        return FaxError(ErrorCode::BadDocument, path_.string() + ": " + why);
    };
    // Document reads every page through libtiff with clear errors (and no stderr).
    std::vector<T4SourcePage> all;
    const Document doc = Document::open(path_);
    for (const PageInfo& p : doc.pages())
        all.push_back({static_cast<int>(p.width), vr_of_lpi(p.y_dpi > 0 ? p.y_dpi : 196)});
    const int total = static_cast<int>(all.size());
    if (first_page < 0) first_page = 0;
    if (last_page < 0 || last_page >= total) last_page = total - 1;
    if (first_page > last_page)
        throw bad("no pages to send (pages " + std::to_string(first_page + 1) + " to " +
                  std::to_string(last_page + 1) + " of " + std::to_string(total) + ")");
    pages_.assign(all.begin() + first_page, all.begin() + last_page + 1);
    t4_ = t4_tx_init(nullptr, path_.c_str(), first_page, last_page);
    if (!t4_) throw bad("spandsp cannot read it as a TIFF-F");
}

T4PageEncoder::~T4PageEncoder() {
    if (t4_) t4_tx_free(t4_);
}

std::vector<std::uint8_t> T4PageEncoder::encode_next(int df, Class2BitOrder order) {
    const int encoding = t4_encoding_of_df(df);
    if (encoding < 0)
        throw FaxError(ErrorCode::InvalidParameter, path_.string() +
                                                        ": page coding df=" + std::to_string(df) +
                                                        " is not supported (MH, MR or MMR only)");
    if (!more())
        throw FaxError(
            ErrorCode::BadDocument,
            path_.string() + ": no page left to send after page " + std::to_string(next_));
    t4_tx_set_tx_encoding(t4_, encoding);
    t4_tx_set_min_bits_per_row(t4_, 0);  // the modem pads to the scan line time
    if (t4_tx_start_page(t4_) != 0)
        throw FaxError(ErrorCode::BadDocument,
                       path_.string() + ": page " + std::to_string(next_ + 1) + " cannot be read");
    std::vector<std::uint8_t> out;
    std::uint8_t buf[4096];
    for (;;) {
        const int n = t4_tx_get_chunk(t4_, buf, sizeof buf);
        if (n <= 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    t4_tx_end_page(t4_);
    ++next_;
    if (order == Class2BitOrder::Reversed) reverse_bits(std::span(out));
    return out;
}

T4PageWriter::T4PageWriter(const std::filesystem::path& path) : path_(path) {
    t4_ = t4_rx_init(nullptr, path_.c_str(), T4_COMPRESSION_ITU_T6);
    if (!t4_) throw FaxError(ErrorCode::Io, path_.string() + ": cannot create the received fax");
}

T4PageWriter::~T4PageWriter() {
    close();
}

void T4PageWriter::set_far_ident(const std::string& ident) {
    if (t4_) t4_rx_set_far_ident(t4_, ident.c_str());
}

void T4PageWriter::start_page(int df, int vr, int width, Class2BitOrder order) {
    const int encoding = t4_encoding_of_df(df);
    const int y_res = y_resolution_of_vr(vr);
    auto bad = [&](const std::string& what) {
        return FaxError(ErrorCode::InvalidParameter, path_.string() + ": " + what);
    };
    if (!t4_) throw bad("the received fax is already closed");
    if (encoding < 0) throw bad("page coding df=" + std::to_string(df) + " is not supported");
    if (y_res < 0) throw bad("vertical resolution vr=" + std::to_string(vr) + " is not supported");
    if (wd_of_width(width) < 0) throw bad("page width " + std::to_string(width) + " px");
    t4_rx_set_rx_encoding(t4_, encoding);
    t4_rx_set_image_width(t4_, width);
    t4_rx_set_x_resolution(t4_, T4_X_RESOLUTION_R8);
    t4_rx_set_y_resolution(t4_, y_res);
    t4_rx_start_page(t4_);
    order_ = order;
    in_page_ = true;
    page_ended_ = false;
}

bool T4PageWriter::put(const std::uint8_t* data, std::size_t n) {
    if (!in_page_ || page_ended_ || n == 0) return page_ended_;
    const std::uint8_t* p = data;
    if (order_ == Class2BitOrder::Reversed) {
        scratch_.assign(data, data + n);
        reverse_bits(std::span(scratch_));
        p = scratch_.data();
    }
    if (t4_rx_put_chunk(t4_, p, static_cast<int>(n))) page_ended_ = true;
    return page_ended_;
}

T4ReceivedPage T4PageWriter::end_page() {
    T4ReceivedPage r;
    if (!in_page_) return r;
    t4_rx_end_page(t4_);
    t4_stats_t stats{};
    t4_rx_get_transfer_statistics(t4_, &stats);
    r.rows = stats.length;
    r.bad_rows = stats.bad_rows;
    r.longest_bad_run = stats.longest_bad_row_run;
    r.complete = page_ended_;
    in_page_ = false;
    ++pages_;
    return r;
}

void T4PageWriter::close() {
    if (!t4_) return;
    t4_rx_free(t4_);
    t4_ = nullptr;
    in_page_ = false;
}

}  // namespace faxemu
