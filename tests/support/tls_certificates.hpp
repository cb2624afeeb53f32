// Certificates for tests of TLS listeners (the control protocol's, the web
// console's HTTPS): a CA and a server certificate it signed, made at run time
// with OpenSSL's C API so that none is kept in the tree to expire.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace faxemu::test {

namespace tls_certificates {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

inline void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

inline Key new_key() {
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

inline void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "X509_add_ext");
}

// A certificate for `key` named `common_name`, signed by the issuer (itself when
// `issuer` is null: a CA).
inline Cert new_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                     EVP_PKEY* issuer_key) {
    static long serial = 1;
    Cert cert(X509_new(), X509_free);
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509* signer = issuer ? issuer : cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
          "X509_set_issuer_name");
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (!issuer) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
    }
    check(X509_sign(cert.get(), issuer ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

inline void write_pem(const std::filesystem::path& file, X509* cert, EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file(file.c_str(), "w"), BIO_free);
    check(out != nullptr, "BIO_new_file");
    if (cert) check(PEM_write_bio_X509(out.get(), cert) == 1, "PEM_write_bio_X509");
    if (key)
        check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
              "PEM_write_bio_PrivateKey");
}

}  // namespace tls_certificates

// A CA and a server certificate from it for localhost and 127.0.0.1, plus a
// second CA that signed nothing the server has.
struct TlsFiles {
    std::filesystem::path ca, server_cert, server_key, other_ca, other_key;

    explicit TlsFiles(const std::filesystem::path& dir)
        : ca(dir / "ca.pem"),
          server_cert(dir / "server.pem"),
          server_key(dir / "server.key"),
          other_ca(dir / "other-ca.pem"),
          other_key(dir / "other-ca.key") {
        using namespace tls_certificates;
        const Key ca_key = new_key();
        const Cert ca_cert = new_cert(ca_key.get(), "faxemu test CA", nullptr, nullptr);
        const Key key = new_key();
        const Cert cert = new_cert(key.get(), "localhost", ca_cert.get(), ca_key.get());
        const Key stranger_key = new_key();
        const Cert stranger = new_cert(stranger_key.get(), "faxemu other CA", nullptr, nullptr);
        write_pem(ca, ca_cert.get(), nullptr);
        write_pem(server_cert, cert.get(), nullptr);
        write_pem(server_key, nullptr, key.get());
        write_pem(other_ca, stranger.get(), nullptr);
        write_pem(other_key, nullptr, stranger_key.get());
    }
};

}  // namespace faxemu::test
