// Class 2 / 2.0 session parameters (SP-2388 / T.32 "vr,br,wd,ln,df,ec,bf,st")
// and their conversion from and to the T.30 DIS and DCS frames, so the virtual
// Class 2 modem can report +FDIS:/+FDCS: and restrict spandsp's T.30 to what the
// host asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace faxemu::vclass2 {

struct Class2Session {
    int vr = 1;  // vertical resolution: 0 = 3.85 l/mm (normal), 1 = 7.7 l/mm (fine)
    int br = 5;  // bit rate: 0..5 = 2400..14400
    int wd = 0;  // page width: 0 = 1728 pels (215 mm), 1 = 2048, 2 = 2432
    int ln = 2;  // page length: 0 = A4, 1 = B4, 2 = unlimited
    int df = 0;  // data format: 0 = MH, 1 = MR, 2 = uncompressed, 3 = MMR
    int ec = 0;  // error correction, Class 2's codes: 0 = none, 1 = ECM 64-octet frames,
                 // 2 = ECM 256 (Class 2.0 codes differ: see ec_for_host)
    int bf = 0;  // binary file transfer: 0 = none
    int st = 0;  // minimum scan line time: 0 = 0 ms ... 7 = 40 ms (T.32 Table 21)

    // "1,5,0,2,0,0,0,0" as the host reads it in Class 2, or in Class 2.0 (`class20`).
    std::string to_string(bool class20) const;
    bool operator==(const Class2Session&) const = default;
};

// The ec subparameter means different things in the two standards. Class 2
// (SP-2388): 0 = no ECM, 1 = ECM with 64-octet frames, 2 = ECM with 256-octet
// frames. Class 2.0 (T.32 Table 21, EIA-592): 0 = no ECM, 1 = ECM per T.30
// Annex A (either frame size), 2 = T.30 Annex C half duplex, 3 = Annex C full
// duplex. Class2Session keeps Class 2's codes; these convert at the host's edge.
int ec_for_host(int ec, bool class20);
int ec_from_host(int value, bool class20);

// The +FDCC=?/+FCC=? answer: the ranges this modem supports, in the class's codes.
std::string class2_param_ranges(bool class20);

// Parses a +FDCC=/+FDIS= argument list over `base`: omitted fields keep their
// value ("1,,,2"). nullopt when a field is not a number. `class20` selects the
// meaning of ec (see ec_for_host).
std::optional<Class2Session> parse_class2_params(const std::string& text, Class2Session base,
                                                 bool class20);

// The capabilities a remote DIS (or DTC) offers, in Class 2 terms. `frame` is the
// HDLC frame as spandsp gives it: address, control, FCF, FIF...
std::optional<Class2Session> params_from_dis(const std::uint8_t* frame, std::size_t len);
// The session a DCS commands.
std::optional<Class2Session> params_from_dcs(const std::uint8_t* frame, std::size_t len);

// What the modem will command in DCS when it sends: the host's wishes limited by
// the remote's DIS (fastest common modem, best common coding, ECM only if both).
Class2Session negotiate_session(const Class2Session& host, const Class2Session& remote_dis);

// spandsp T30_SUPPORT_* masks that make T.30 pick exactly what `p` allows.
int t30_modems_for(const Class2Session& p);
int t30_compressions_for(const Class2Session& p);
// spandsp T4_COMPRESSION_ITU_* for a df value.
int t4_encoding_for(int df);

}  // namespace faxemu::vclass2
