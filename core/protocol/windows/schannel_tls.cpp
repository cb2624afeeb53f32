#include "core/protocol/windows/schannel_tls.hpp"

// Windows headers in the order they need (winsock2 before windows).
// clang-format off
#define SECURITY_WIN32
#include <winsock2.h>
#include <windows.h>
#include <wincrypt.h>
#include <schannel.h>
#include <security.h>
#include <sspi.h>
// clang-format on

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/protocol/json_rpc.hpp"
#include "core/protocol/windows/utf16.hpp"

#ifndef SECURITY_FLAG_IGNORE_UNKNOWN_CA
#define SECURITY_FLAG_IGNORE_UNKNOWN_CA 0x00000100  // wininet.h's, for the SSL policy
#endif

namespace faxemu::rpc {

namespace {

std::string hex(unsigned long code) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08lX", code);
    return text;
}

// SSPI's and crypt32's codes as a reader can act on them.
std::string describe(long status) {
    switch (static_cast<unsigned long>(status)) {
        case static_cast<unsigned long>(SEC_E_UNTRUSTED_ROOT):
        case static_cast<unsigned long>(CERT_E_UNTRUSTEDROOT):
            return "the certificate's CA is not trusted";
        case static_cast<unsigned long>(SEC_E_CERT_EXPIRED):
        case static_cast<unsigned long>(CERT_E_EXPIRED):
            return "the certificate has expired or is not yet valid";
        case static_cast<unsigned long>(SEC_E_WRONG_PRINCIPAL):
        case static_cast<unsigned long>(CERT_E_CN_NO_MATCH):
            return "the certificate is for another host name";
        case static_cast<unsigned long>(CERT_E_CHAINING):
            return "the certificate does not chain to a trusted CA";
        case static_cast<unsigned long>(SEC_E_ALGORITHM_MISMATCH):
            return "no TLS version or cipher in common (TLS 1.2 or later is needed)";
        case static_cast<unsigned long>(SEC_E_ILLEGAL_MESSAGE):
            return "the server sent a malformed TLS message or an alert";
        case static_cast<unsigned long>(SEC_E_MESSAGE_ALTERED):
            return "a TLS record failed its integrity check";
        default:
            return "Schannel error " + hex(static_cast<unsigned long>(status));
    }
}

RpcError tls_error(const std::string& what) {
    return RpcError(kIoError, what);
}

}  // namespace

struct SchannelSession::State {
    std::string host;
    std::wstring whost;
    std::string ca_file;
    HCERTSTORE anchors = nullptr;  // the CA file's certificates, when one is given
    CredHandle credentials{};
    bool have_credentials = false;
    CtxtHandle context{};
    bool have_context = false;
    bool done = false;
    bool closed = false;
    std::string in;  // bytes from the server not consumed yet
    SecPkgContext_StreamSizes sizes{};

    ~State() {
        if (have_context) DeleteSecurityContext(&context);
        if (have_credentials) FreeCredentialsHandle(&credentials);
        if (anchors) CertCloseStore(anchors, 0);
    }

    // Every "-----BEGIN CERTIFICATE-----" block of the PEM file, into `anchors`.
    void load_anchors() {
        std::ifstream file(ca_file, std::ios::binary);
        if (!file)
            throw RpcError(kInvalidValue, "TLS CA file " + ca_file + ": cannot read the file");
        const std::string pem{std::istreambuf_iterator<char>(file), {}};
        anchors = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr);
        if (!anchors) throw RpcError(kInvalidValue, "TLS CA file " + ca_file + ": no memory store");
        const std::string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
        int count = 0;
        for (std::size_t at = pem.find(begin); at != std::string::npos; at = pem.find(begin, at)) {
            const std::size_t stop = pem.find(end, at);
            if (stop == std::string::npos) break;
            const std::string block = pem.substr(at, stop + end.size() - at);
            at = stop;
            DWORD size = 0;
            if (!CryptStringToBinaryA(block.c_str(), static_cast<DWORD>(block.size()),
                                      CRYPT_STRING_BASE64HEADER, nullptr, &size, nullptr, nullptr))
                continue;
            std::vector<BYTE> der(size);
            if (CryptStringToBinaryA(block.c_str(), static_cast<DWORD>(block.size()),
                                     CRYPT_STRING_BASE64HEADER, der.data(), &size, nullptr,
                                     nullptr) &&
                CertAddEncodedCertificateToStore(anchors, X509_ASN_ENCODING, der.data(), size,
                                                 CERT_STORE_ADD_ALWAYS, nullptr))
                ++count;
        }
        if (count == 0)
            throw RpcError(kInvalidValue, "TLS CA file " + ca_file + ": no PEM certificate in it");
    }

    bool is_anchor(PCCERT_CONTEXT cert) const {
        PCCERT_CONTEXT anchor = nullptr;
        while ((anchor = CertEnumCertificatesInStore(anchors, anchor))) {
            if (anchor->cbCertEncoded == cert->cbCertEncoded &&
                std::memcmp(anchor->pbCertEncoded, cert->pbCertEncoded, cert->cbCertEncoded) == 0) {
                CertFreeCertificateContext(anchor);
                return true;
            }
        }
        return false;
    }

    // Schannel checks nothing itself here (manual validation): the chain ends
    // at a trusted CA (the CA file's, or the Windows Root store's), and the
    // certificate is for `host`.
    void verify_server() {
        PCCERT_CONTEXT cert = nullptr;
        if (QueryContextAttributesW(&context, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &cert) != SEC_E_OK ||
            !cert)
            throw tls_error("faxd sent no certificate");
        HCERTSTORE extra = cert->hCertStore;  // what the server sent beside its certificate
        HCERTSTORE both = nullptr;
        if (anchors) {
            both = CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, 0, nullptr);
            CertAddStoreToCollection(both, cert->hCertStore, 0, 0);
            CertAddStoreToCollection(both, anchors, 0, 0);
            extra = both;
        }
        CERT_CHAIN_PARA para{};
        para.cbSize = sizeof para;
        PCCERT_CHAIN_CONTEXT chain = nullptr;
        const BOOL built =
            CertGetCertificateChain(nullptr, cert, nullptr, extra, &para, 0, nullptr, &chain);
        std::string problem;
        if (!built || !chain || chain->cChain == 0) {
            problem = "cannot build its certificate chain (" + hex(GetLastError()) + ")";
        } else {
            DWORD errors =
                chain->TrustStatus.dwErrorStatus &
                ~(CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION);
            const CERT_SIMPLE_CHAIN* simple = chain->rgpChain[0];
            PCCERT_CONTEXT top = simple->rgpElement[simple->cElement - 1]->pCertContext;
            if (anchors) {
                if (!is_anchor(top))
                    problem = "its certificate does not chain to the CA in " + ca_file;
                errors &= ~(CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN);
            }
            if (problem.empty() && errors != 0) {
                problem =
                    (errors & (CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN))
                        ? "its certificate does not chain to a CA this computer trusts "
                          "(give the CA file in TlsCaFile or $FAXEMU_TLS_CA)"
                    : (errors & CERT_TRUST_IS_NOT_TIME_VALID)
                        ? "its certificate has expired or is not yet valid"
                        : "its certificate chain is not valid (trust status " + hex(errors) + ")";
            }
            if (problem.empty()) {
                SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl{};
                ssl.cbSize = sizeof ssl;
                ssl.dwAuthType = AUTHTYPE_SERVER;
                ssl.fdwChecks = anchors ? SECURITY_FLAG_IGNORE_UNKNOWN_CA : 0;
                ssl.pwszServerName = whost.data();
                CERT_CHAIN_POLICY_PARA policy{};
                policy.cbSize = sizeof policy;
                policy.dwFlags = anchors ? CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG : 0;
                policy.pvExtraPolicyPara = &ssl;
                CERT_CHAIN_POLICY_STATUS status{};
                status.cbSize = sizeof status;
                if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &policy,
                                                      &status))
                    problem = "cannot check its certificate (" + hex(GetLastError()) + ")";
                else if (status.dwError == static_cast<DWORD>(CERT_E_CN_NO_MATCH))
                    problem = "its certificate is not for \"" + host + "\"";
                else if (status.dwError != 0)
                    problem = "its certificate: " + describe(static_cast<long>(status.dwError));
            }
        }
        if (chain) CertFreeCertificateChain(chain);
        if (both) CertCloseStore(both, 0);
        CertFreeCertificateContext(cert);
        if (!problem.empty()) throw tls_error("faxd's certificate refused: " + problem);
    }
};

SchannelSession::SchannelSession(std::string host, const std::string& ca_file)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.host = std::move(host);
    s.whost = windows::wide(s.host);
    s.ca_file = ca_file;
    if (!ca_file.empty()) s.load_anchors();
    SCHANNEL_CRED cred{};
    cred.dwVersion = SCHANNEL_CRED_VERSION;
    cred.grbitEnabledProtocols = SP_PROT_TLS1_2_CLIENT;  // what faxd accepts at the least
    cred.dwFlags = SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS;
    const SECURITY_STATUS status =
        AcquireCredentialsHandleW(nullptr, const_cast<wchar_t*>(UNISP_NAME_W), SECPKG_CRED_OUTBOUND,
                                  nullptr, &cred, nullptr, nullptr, &s.credentials, nullptr);
    if (status != SEC_E_OK)
        throw tls_error("Schannel refused its credentials: " + describe(status));
    s.have_credentials = true;
}

SchannelSession::~SchannelSession() = default;

std::string SchannelSession::handshake(std::string_view received) {
    State& s = *state_;
    s.in.append(received);
    std::string out;
    constexpr ULONG kFlags = ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT |
                             ISC_REQ_CONFIDENTIALITY | ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM |
                             ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_USE_SUPPLIED_CREDS;
    while (!s.done) {
        if (s.have_context && s.in.empty()) break;  // the server's turn
        SecBuffer in_buffers[2] = {{static_cast<ULONG>(s.in.size()), SECBUFFER_TOKEN, s.in.data()},
                                   {0, SECBUFFER_EMPTY, nullptr}};
        SecBufferDesc in_desc{SECBUFFER_VERSION, 2, in_buffers};
        SecBuffer out_buffer{0, SECBUFFER_TOKEN, nullptr};
        SecBufferDesc out_desc{SECBUFFER_VERSION, 1, &out_buffer};
        ULONG attributes = 0;
        const SECURITY_STATUS status = InitializeSecurityContextW(
            &s.credentials, s.have_context ? &s.context : nullptr, s.whost.data(), kFlags, 0, 0,
            s.have_context ? &in_desc : nullptr, 0, &s.context, &out_desc, &attributes, nullptr);
        if (out_buffer.pvBuffer) {
            out.append(static_cast<const char*>(out_buffer.pvBuffer), out_buffer.cbBuffer);
            FreeContextBuffer(out_buffer.pvBuffer);
        }
        if (status == SEC_E_INCOMPLETE_MESSAGE) break;  // a record is not whole yet
        if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED &&
            status != SEC_I_INCOMPLETE_CREDENTIALS)
            throw tls_error("TLS handshake failed: " + describe(status));
        const bool first = !s.have_context;
        s.have_context = true;
        if (!first) {
            // What the step did not read stays for the next one (or, at the
            // end, is the first application data).
            if (in_buffers[1].BufferType == SECBUFFER_EXTRA && in_buffers[1].cbBuffer > 0)
                s.in.erase(0, s.in.size() - in_buffers[1].cbBuffer);
            else
                s.in.clear();
        }
        if (status == SEC_E_OK) {
            s.verify_server();
            if (QueryContextAttributesW(&s.context, SECPKG_ATTR_STREAM_SIZES, &s.sizes) != SEC_E_OK)
                throw tls_error("TLS: cannot read the record sizes");
            s.done = true;
        }
    }
    return out;
}

bool SchannelSession::done() const {
    return state_->done;
}

bool SchannelSession::closed() const {
    return state_->closed;
}

std::string SchannelSession::encrypt(std::string_view plain) {
    State& s = *state_;
    std::string out;
    while (!plain.empty()) {
        const std::size_t n = std::min<std::size_t>(plain.size(), s.sizes.cbMaximumMessage);
        std::string record(s.sizes.cbHeader + n + s.sizes.cbTrailer, '\0');
        std::memcpy(record.data() + s.sizes.cbHeader, plain.data(), n);
        SecBuffer buffers[4] = {
            {s.sizes.cbHeader, SECBUFFER_STREAM_HEADER, record.data()},
            {static_cast<ULONG>(n), SECBUFFER_DATA, record.data() + s.sizes.cbHeader},
            {s.sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, record.data() + s.sizes.cbHeader + n},
            {0, SECBUFFER_EMPTY, nullptr}};
        SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
        const SECURITY_STATUS status = EncryptMessage(&s.context, 0, &desc, 0);
        if (status != SEC_E_OK) throw tls_error("TLS: cannot encrypt: " + describe(status));
        out.append(record.data(), buffers[0].cbBuffer + buffers[1].cbBuffer + buffers[2].cbBuffer);
        plain.remove_prefix(n);
    }
    return out;
}

std::string SchannelSession::decrypt(std::string_view received) {
    State& s = *state_;
    s.in.append(received);
    std::string out;
    while (!s.in.empty() && !s.closed) {
        SecBuffer buffers[4] = {{static_cast<ULONG>(s.in.size()), SECBUFFER_DATA, s.in.data()},
                                {0, SECBUFFER_EMPTY, nullptr},
                                {0, SECBUFFER_EMPTY, nullptr},
                                {0, SECBUFFER_EMPTY, nullptr}};
        SecBufferDesc desc{SECBUFFER_VERSION, 4, buffers};
        const SECURITY_STATUS status = DecryptMessage(&s.context, &desc, 0, nullptr);
        if (status == SEC_E_INCOMPLETE_MESSAGE) break;
        if (status == SEC_I_CONTEXT_EXPIRED) {
            s.closed = true;  // close_notify
            break;
        }
        if (status != SEC_E_OK)
            throw tls_error("TLS: cannot decrypt: " +
                            (status == SEC_I_RENEGOTIATE
                                 ? std::string("renegotiation is not supported")
                                 : describe(status)));
        // Decrypted in place: copy out before `in` changes.
        std::string rest;
        for (const SecBuffer& b : buffers) {
            if (b.BufferType == SECBUFFER_DATA && b.pvBuffer)
                out.append(static_cast<const char*>(b.pvBuffer), b.cbBuffer);
            else if (b.BufferType == SECBUFFER_EXTRA && b.cbBuffer <= s.in.size())
                rest = s.in.substr(s.in.size() - b.cbBuffer);  // the next record(s), as received
        }
        s.in = std::move(rest);
    }
    return out;
}

}  // namespace faxemu::rpc
