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
    int ec = 0;  // error correction: 0 = none, 1 = ECM 64-octet frames, 2 = ECM 256
    int bf = 0;  // binary file transfer: 0 = none
    int st = 0;  // minimum scan line time: 0 = 0 ms ... 7 = 40 ms (T.32 Table 21)

    // "1,5,0,2,0,0,0,0"
    std::string to_string() const;
    bool operator==(const Class2Session&) const = default;
};

// Parses a +FDCC=/+FDIS= argument list over `base`: omitted fields keep their
// value ("1,,,2"). nullopt when a field is not a number or out of range.
std::optional<Class2Session> parse_class2_params(const std::string& text, Class2Session base);

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
