#include "demo/certificates.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace canary::demo {

namespace {

using PKeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

PKeyPtr newKey()
{
    return PKeyPtr(EVP_EC_gen("P-256"), &EVP_PKEY_free);
}

QByteArray pemOf(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    QByteArray out(data, int(len));
    BIO_free(bio);
    return out;
}

QByteArray pemOf(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    QByteArray out(data, int(len));
    BIO_free(bio);
    return out;
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        return false;
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return true;
}

X509Ptr newCertificate(EVP_PKEY *publicKey, const QByteArray &cn, const QList<QByteArray> &orgs, X509 *issuer,
                       EVP_PKEY *issuerKey, bool isCa, const char *san, const char *usage)
{
    X509Ptr cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
    X509_set_pubkey(cert.get(), publicKey);
    X509_NAME *name = X509_get_subject_name(cert.get());
    for (const QByteArray &o : orgs)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(o.constData()), -1,
                                   -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(cn.constData()), -1,
                               -1, 0);
    X509 *signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    addExtension(cert.get(), signer, NID_basic_constraints, isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
    addExtension(cert.get(), signer, NID_key_usage,
                 isCa ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature,keyEncipherment");
    addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer)
        addExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (usage)
        addExtension(cert.get(), signer, NID_ext_key_usage, usage);
    if (san)
        addExtension(cert.get(), signer, NID_subject_alt_name, san);
    if (X509_sign(cert.get(), issuerKey, EVP_sha256()) == 0)
        return X509Ptr(nullptr, &X509_free);
    return cert;
}

} // namespace

QByteArray generatePrivateKeyPem(KeyType type)
{
    PKeyPtr key = type == KeyType::Rsa2048 ? PKeyPtr(EVP_RSA_gen(2048), &EVP_PKEY_free) : newKey();
    return key ? pemOf(key.get()) : QByteArray();
}

Result<ServingCertificates> generateServingCertificates(const QByteArray &subjectAltNames)
{
    PKeyPtr caKey = newKey();
    PKeyPtr serverKey = newKey();
    if (!caKey || !serverKey)
        return makeError(QStringLiteral("cannot generate EC keys with OpenSSL"));
    X509Ptr ca = newCertificate(caKey.get(), "canarydeck-demo-ca", {}, nullptr, caKey.get(), true, nullptr, nullptr);
    if (!ca)
        return makeError(QStringLiteral("cannot sign the demo CA certificate"));
    X509Ptr server = newCertificate(
            serverKey.get(), "canarydeck-demo-apiserver", {}, ca.get(), caKey.get(), false,
            subjectAltNames.isEmpty() ? "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:::1"
                                      : subjectAltNames.constData(),
            "serverAuth");
    if (!server)
        return makeError(QStringLiteral("cannot sign the demo server certificate"));
    return ServingCertificates { pemOf(ca.get()), pemOf(caKey.get()), pemOf(server.get()), pemOf(serverKey.get()) };
}

Result<QByteArray> signClientCertificate(const ServingCertificates &caPems, const QByteArray &publicKeyPem,
                                         const QString &user, const QStringList &groups)
{
    BIO *keyBio = BIO_new_mem_buf(publicKeyPem.constData(), int(publicKeyPem.size()));
    EVP_PKEY *pub = PEM_read_bio_PUBKEY(keyBio, nullptr, nullptr, nullptr);
    if (!pub) {
        BIO_free(keyBio);
        keyBio = BIO_new_mem_buf(publicKeyPem.constData(), int(publicKeyPem.size()));
        pub = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    }
    BIO_free(keyBio);
    PKeyPtr pubKey(pub, &EVP_PKEY_free);
    BIO *caBio = BIO_new_mem_buf(caPems.caCertificatePem.constData(), int(caPems.caCertificatePem.size()));
    X509Ptr ca(PEM_read_bio_X509(caBio, nullptr, nullptr, nullptr), &X509_free);
    BIO_free(caBio);
    BIO *caKeyBio = BIO_new_mem_buf(caPems.caKeyPem.constData(), int(caPems.caKeyPem.size()));
    PKeyPtr caKey(PEM_read_bio_PrivateKey(caKeyBio, nullptr, nullptr, nullptr), &EVP_PKEY_free);
    BIO_free(caKeyBio);
    if (!pubKey || !ca || !caKey)
        return makeError(QStringLiteral("cannot read the keys to sign a client certificate"));
    QList<QByteArray> orgs;
    for (const QString &g : groups)
        orgs.append(g.toUtf8());
    X509Ptr cert
            = newCertificate(pubKey.get(), user.toUtf8(), orgs, ca.get(), caKey.get(), false, nullptr, "clientAuth");
    if (!cert)
        return makeError(QStringLiteral("cannot sign the client certificate"));
    return pemOf(cert.get());
}

} // namespace canary::demo
