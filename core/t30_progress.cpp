#include "core/t30_progress.hpp"

// The T.4 and ECM counters are only in spandsp's private state.
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

namespace faxemu {
namespace {

// From spandsp 0.0.6's t30.c, where they are not exported.
constexpr int kOperationT4Rx = 1;  // OPERATION_IN_PROGRESS_T4_RX
constexpr int kOperationT4Tx = 2;  // OPERATION_IN_PROGRESS_T4_TX

std::uint64_t u(int v) {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(v));
}

}  // namespace

std::uint64_t t30_image_progress(const t30_state_s* t30) {
    // ECM: frames of the block sent, and frames received (each counted once).
    std::uint64_t p =
        u(t30->ecm_block) * 256 + u(t30->ecm_current_tx_frame) + (u(t30->ecm_progress) << 16);
    // Non-ECM: the T.4 engine of the page in progress (the union member in use).
    if (t30->operation_in_progress == kOperationT4Rx) {
        const t4_state_t& rx = t30->t4.rx;
        p += (u(rx.image_length) << 24) + (u(rx.image_size) << 40);
    } else if (t30->operation_in_progress == kOperationT4Tx) {
        const t4_state_t& tx = t30->t4.tx;
        p += (u(tx.t4_t6_tx.bit_pos) << 24) + u(tx.t4_t6_tx.bit_ptr);
    }
    return p;
}

}  // namespace faxemu
