// One T.30 call on spandsp's engine, independent of the front end that carries
// it (spandsp's audio fax modems, or a Class 1 modem). The front end owns
// the t30_state_t; the session configures it, watches its phases and turns
// them into SessionEvents in faxcom/T.30 terms.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/dcs.hpp"

struct t30_state_s;

namespace faxemu {

enum class Modulation : int { V27ter = 0x01, V29 = 0x02, V17 = 0x04 };
enum class Coding : int { MH = 0x02, MR = 0x04, MMR = 0x08 };  // T30_SUPPORT_*_COMPRESSION
inline constexpr int kAllModulations = 0x07;
inline constexpr int kAllCodings = 0x0E;

struct SessionConfig {
    std::string local_ident;  // our TSID when sending, CSID when receiving (<= 20 chars)
    bool ecm = true;
    int modulations = kAllModulations;  // Modulation bits we offer or accept
    int codings = kAllCodings;          // Coding bits we offer or accept
    // No page header here: spandsp's own adds rows and says only "p.N". Branding
    // stamps ours into the pages before they reach any device (page_header.hpp).
};

enum class SessionDirection { Send, Receive };

struct SessionEvent {
    enum class Kind {
        Negotiated,  // phase B done: DCS known, remote ident known
        PageDone,    // a page was confirmed (sent: MCF received; received: written)
        Finished,    // phase E: the call is over, `cause` says how
    };
    Kind kind = Kind::Negotiated;
    int pages_done = 0;   // pages transferred so far
    int pages_total = 0;  // pages in the document (sending), or 0 when unknown
    DcsInfo session;      // the negotiated session (valid from Negotiated on)
    std::string remote_ident;
    bool last_page = false;  // PageDone: the page ended with EOP, no more follow
    int cause = 0;           // T30_ERR_* (Finished only)
    std::string cause_text;
    // PageDone, received: why the page may lack rows ("page 2 ended without RTC:
    // ..."), or empty when it ended as T.4 says. spandsp calls such a page good.
    std::string page_damage;
};

class T30Session {
  public:
    using EventSink = std::function<void(const SessionEvent&)>;

    // `file` is the TIFF-F to send, or the TIFF-F to write received pages to.
    // For sending, pages [first_page, last_page] (0-based, -1 = to the end) are sent.
    T30Session(t30_state_s* t30, SessionDirection direction, const SessionConfig& config,
               const std::filesystem::path& file, EventSink sink, int first_page = 0,
               int last_page = -1);
    T30Session(const T30Session&) = delete;
    T30Session& operator=(const T30Session&) = delete;

    SessionDirection direction() const { return direction_; }
    bool finished() const { return finished_; }
    int cause() const { return cause_; }
    int pages_done() const { return pages_done_; }
    const DcsInfo& negotiated() const { return dcs_; }
    const std::string& remote_ident() const { return remote_ident_; }
    // Changes whenever the call moves: a frame received, image rows or bytes
    // either way (t30_progress.hpp). Frames we send do not count: a side that
    // repeats its DIS to nobody is not getting anywhere. What a call watchdog
    // compares; the value means nothing.
    std::uint64_t progress() const;

    // The line went away under the call: spandsp concludes it (T30_ERR_CALLDROPPED
    // unless the call had already reached its end).
    void terminate();

  private:
    SessionEvent event(SessionEvent::Kind kind) const;
    static int on_phase_b(t30_state_s*, void* user, int result);
    static int on_phase_d(t30_state_s*, void* user, int result);
    static void on_phase_e(t30_state_s*, void* user, int result);
    static void on_frame(t30_state_s*, void* user, int incoming, const std::uint8_t* msg, int len);
    void check_page_end(const std::uint8_t* msg, int len);

    t30_state_s* t30_;
    SessionDirection direction_;
    EventSink sink_;
    DcsInfo dcs_;
    std::string remote_ident_;
    int pages_done_ = 0;
    int pages_total_ = 0;
    std::uint64_t frames_ = 0;  // frames received, for progress()
    int cause_ = 0;
    bool finished_ = false;
    // A received page that ended without RTC, told with the PageDone that keeps it.
    std::string page_damage_;
    int damaged_page_ = 0;
};

const char* t30_cause_text(int cause);

}  // namespace faxemu
