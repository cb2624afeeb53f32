#include "core/t30_session.hpp"

#include <spandsp.h>

#include <fmt/format.h>

#include "core/non_ecm_page_end.hpp"
#include "core/t30_progress.hpp"

namespace faxemu {

T30Session::T30Session(t30_state_s* t30, SessionDirection direction, const SessionConfig& config,
                       const std::filesystem::path& file, EventSink sink, int first_page,
                       int last_page)
    : t30_(t30), direction_(direction), sink_(std::move(sink)) {
    t30_set_tx_ident(t30_, config.local_ident.c_str());
    t30_set_supported_modems(t30_, config.modulations);
    t30_set_ecm_capability(t30_, config.ecm ? TRUE : FALSE);
    // MMR can only be carried with ECM; offering it without would be refused by T.30.
    int codings = config.codings;
    if (!config.ecm) codings &= ~static_cast<int>(Coding::MMR);
    t30_set_supported_compressions(t30_, codings);
    t30_set_supported_resolutions(t30_,
                                  T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION |
                                      T30_SUPPORT_SUPERFINE_RESOLUTION | T30_SUPPORT_R8_RESOLUTION);
    t30_set_supported_image_sizes(t30_, T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH |
                                            T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_215MM_WIDTH |
                                            T30_SUPPORT_255MM_WIDTH | T30_SUPPORT_303MM_WIDTH);
    if (direction_ == SessionDirection::Send) {
        t30_set_tx_file(t30_, file.c_str(), first_page, last_page);
    } else {
        t30_set_rx_file(t30_, file.c_str(), -1);
        // Store received pages as MMR: the smallest, and lossless.
        t30_set_rx_encoding(t30_, T4_COMPRESSION_ITU_T6);
    }
    t30_set_phase_b_handler(t30_, &T30Session::on_phase_b, this);
    t30_set_phase_d_handler(t30_, &T30Session::on_phase_d, this);
    t30_set_phase_e_handler(t30_, &T30Session::on_phase_e, this);
    t30_set_real_time_frame_handler(t30_, &T30Session::on_frame, this);
}

SessionEvent T30Session::event(SessionEvent::Kind kind) const {
    SessionEvent ev;
    ev.kind = kind;
    ev.pages_done = pages_done_;
    ev.pages_total = pages_total_;
    ev.session = dcs_;
    ev.remote_ident = remote_ident_;
    return ev;
}

std::uint64_t T30Session::progress() const {
    return frames_ + t30_image_progress(t30_);
}

void T30Session::terminate() {
    if (!finished_) t30_terminate(t30_);
}

int T30Session::on_phase_b(t30_state_s* t30, void* user, int) {
    auto* self = static_cast<T30Session*>(user);
    if (const char* id = t30_get_rx_ident(t30)) self->remote_ident_ = id;
    return T30_ERR_OK;
}

int T30Session::on_phase_d(t30_state_s* t30, void* user, int result) {
    auto* self = static_cast<T30Session*>(user);
    t30_stats_t stats;
    t30_get_transfer_statistics(t30, &stats);
    self->pages_done_ =
        self->direction_ == SessionDirection::Send ? stats.pages_tx : stats.pages_rx;
    if (stats.pages_in_file > 0) self->pages_total_ = stats.pages_in_file;
    SessionEvent ev = self->event(SessionEvent::Kind::PageDone);
    // For the receiver `result` is the post-page command (MPS, EOM, EOP; the X bit
    // does not matter); for the sender it is the response (MCF, RTN, ...).
    const int command = result & 0xFE;
    ev.last_page = command == T30_EOP || command == T30_PRI_EOP;
    // Only a page T.30 kept (not one answered with RTN) carries its damage.
    if (!self->page_damage_.empty() && self->direction_ == SessionDirection::Receive &&
        stats.pages_rx >= self->damaged_page_)
        ev.page_damage = self->page_damage_;
    self->page_damage_.clear();
    self->sink_(ev);
    return T30_ERR_OK;
}

void T30Session::on_phase_e(t30_state_s* t30, void* user, int result) {
    auto* self = static_cast<T30Session*>(user);
    if (self->finished_) return;
    t30_stats_t stats;
    t30_get_transfer_statistics(t30, &stats);
    self->pages_done_ =
        self->direction_ == SessionDirection::Send ? stats.pages_tx : stats.pages_rx;
    self->finished_ = true;
    self->cause_ = result;
    SessionEvent ev = self->event(SessionEvent::Kind::Finished);
    ev.cause = result;
    ev.cause_text = t30_cause_text(result);
    self->sink_(ev);
}

void T30Session::on_frame(t30_state_s* t30, void* user, int incoming, const std::uint8_t* msg,
                          int len) {
    auto* self = static_cast<T30Session*>(user);
    if (incoming) ++self->frames_;
    if (incoming && self->direction_ == SessionDirection::Receive) self->check_page_end(msg, len);
    // The DCS we send (as sender) or receive (as receiver) fixes the session.
    bool ours = self->direction_ == SessionDirection::Send ? !incoming : incoming;
    if (!ours) return;
    if (auto dcs = decode_dcs(msg, static_cast<std::size_t>(len))) {
        self->dcs_ = *dcs;
        if (const char* id = t30_get_rx_ident(t30)) self->remote_ident_ = id;
        t30_stats_t stats;
        t30_get_transfer_statistics(t30, &stats);
        if (stats.pages_in_file > 0) self->pages_total_ = stats.pages_in_file;
        self->sink_(self->event(SessionEvent::Kind::Negotiated));
    }
}

// Called with each frame received, before T.30 acts on it: a post-page command
// ends the page, so this is the last moment its decoder can be asked about RTC.
void T30Session::check_page_end(const std::uint8_t* msg, int len) {
    if (len < 3) return;
    switch (msg[2] & 0xFE) {
        case T30_MPS:
        case T30_EOM:
        case T30_EOP:
        case T30_PRI_MPS:
        case T30_PRI_EOM:
        case T30_PRI_EOP:
        case T30_EOS:
            break;
        default:
            return;
    }
    const auto rows = end_page_cut_short(t30_);
    if (!rows) return;
    t30_stats_t stats;
    t30_get_transfer_statistics(t30_, &stats);
    damaged_page_ = stats.pages_rx + 1;
    page_damage_ = fmt::format(
        "page {} ended without RTC: the carrier was lost mid-page; rows may be missing ({} "
        "rows kept)",
        damaged_page_, *rows);
}

const char* t30_cause_text(int cause) {
    return t30_completion_code_to_str(cause);
}

}  // namespace faxemu
