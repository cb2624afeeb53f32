#include "devices/virtual_class2/hangup_codes.hpp"

#include <spandsp.h>

#include <cstdio>

namespace faxemu::vclass2 {

namespace {

int dropped_code(bool transmitting, FaxPhase phase) {
    switch (phase) {
        case FaxPhase::A:
            return transmitting ? 10 : 1;
        case FaxPhase::B:
            return transmitting ? 20 : 70;
        case FaxPhase::C:
            return transmitting ? 40 : 90;
        case FaxPhase::D:
            return transmitting ? 50 : 100;
        case FaxPhase::E:
            return 0;
    }
    return transmitting ? 20 : 70;
}

}  // namespace

int hangup_code(int cause, bool transmitting, FaxPhase phase) {
    switch (cause) {
        case T30_ERR_OK:
            return 0;
        case T30_ERR_CEDTONE:
        case T30_ERR_T0_EXPIRED:
            return transmitting ? 11 : 1;
        case T30_ERR_T1_EXPIRED:
            return transmitting ? 11 : 1;
        case T30_ERR_T3_EXPIRED:
            return transmitting ? 58 : 103;
        case T30_ERR_HDLC_CARRIER:
            return transmitting ? 20 : 70;
        case T30_ERR_CANNOT_TRAIN:
            return 27;
        case T30_ERR_OPER_INT_FAIL:
            return transmitting ? 58 : 103;
        case T30_ERR_INCOMPATIBLE:
        case T30_ERR_RX_INCAPABLE:
        case T30_ERR_TX_INCAPABLE:
            return transmitting ? 21 : 70;
        case T30_ERR_NORESSUPPORT:
        case T30_ERR_NOSIZESUPPORT:
            return 41;
        case T30_ERR_UNEXPECTED:
            return transmitting ? 23 : 72;
        case T30_ERR_TX_BADDCS:
            return 24;
        case T30_ERR_TX_BADPG:
            return 50;
        case T30_ERR_TX_ECMPHD:
            return 51;
        case T30_ERR_TX_GOTDCN:
            return 20;
        case T30_ERR_TX_INVALRSP:
            return 53;
        case T30_ERR_TX_NODIS:
            return 26;
        case T30_ERR_TX_PHBDEAD:
            return 25;
        case T30_ERR_TX_PHDDEAD:
            return 52;
        case T30_ERR_TX_T5EXP:
            return 50;
        case T30_ERR_RX_ECMPHD:
            return 94;
        case T30_ERR_RX_GOTDCS:
            return 70;
        case T30_ERR_RX_INVALCMD:
            return 102;
        case T30_ERR_RX_NOCARRIER:
            return 90;
        case T30_ERR_RX_NOEOL:
            return 91;
        case T30_ERR_RX_NOFAX:
            return 73;
        case T30_ERR_RX_T2EXPDCN:
            return 100;
        case T30_ERR_RX_T2EXPD:
            return 100;
        case T30_ERR_RX_T2EXPFAX:
            return 73;
        case T30_ERR_RX_T2EXPMPS:
            return 73;
        case T30_ERR_RX_T2EXPRR:
            return 94;
        case T30_ERR_RX_T2EXP:
            return 72;
        case T30_ERR_RX_DCNWHY:
            return 70;
        case T30_ERR_RX_DCNDATA:
            return 90;
        case T30_ERR_RX_DCNFAX:
            return 100;
        case T30_ERR_RX_DCNPHD:
            return 100;
        case T30_ERR_RX_DCNRRD:
            return 94;
        case T30_ERR_RX_DCNNORTN:
            return 100;
        case T30_ERR_FILEERROR:
        case T30_ERR_NOPAGE:
        case T30_ERR_BADTIFF:
        case T30_ERR_BADPAGE:
        case T30_ERR_BADTAG:
        case T30_ERR_BADTIFFHDR:
        case T30_ERR_NOMEM:
            return transmitting ? 42 : 90;
        case T30_ERR_RETRYDCN:
            return transmitting ? 50 : 100;
        case T30_ERR_CALLDROPPED:
            return dropped_code(transmitting, phase);
        default:
            return transmitting ? 20 : 70;
    }
}

std::string format_hangup(int code, bool class20) {
    char buf[32];
    if (class20)
        std::snprintf(buf, sizeof buf, "+FHS:%02X", (code / 10) * 16 + code % 10);
    else
        std::snprintf(buf, sizeof buf, "+FHNG:%d", code);
    return buf;
}

}  // namespace faxemu::vclass2
