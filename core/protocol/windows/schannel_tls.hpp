// TLS for the client library on Windows, through the system's own TLS stack
// (Schannel, via SSPI; Wine provides it on top of GnuTLS): no OpenSSL to ship
// beside the COM shim, and the Windows certificate store for trust. The
// session only turns bytes into bytes; the connection (client.cpp) moves them
// over its socket. Windows only: built by comshim/build.sh, not by CMake.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace faxemu::rpc {

class SchannelSession {
  public:
    // `host`: the name faxd's certificate must carry (also sent as SNI).
    // `ca_file`: a PEM file of the CA(s) that may sign faxd's certificate, the
    // only trust anchors when given; empty: the Windows trust store (Root).
    // Throws RpcError(kInvalidValue) for an unreadable CA file.
    SchannelSession(std::string host, const std::string& ca_file);
    ~SchannelSession();
    SchannelSession(const SchannelSession&) = delete;
    SchannelSession& operator=(const SchannelSession&) = delete;

    // One handshake step: `received` are the bytes the server sent since the
    // last step (none at the first); returns the bytes to send to the server.
    // done() tells when the handshake is over; then the server's certificate
    // has been checked (chain and name). Throws RpcError(kIoError) with the
    // reason when the handshake or the check fails.
    std::string handshake(std::string_view received);
    bool done() const;

    // Application data, once done(): one or more TLS records to send.
    std::string encrypt(std::string_view plain);
    // Bytes from the server in, application data out (maybe none yet: a
    // record is incomplete). closed() once the server sent close_notify.
    std::string decrypt(std::string_view received);
    bool closed() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace faxemu::rpc
