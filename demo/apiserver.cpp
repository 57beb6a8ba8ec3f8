#include "demo/apiserver.h"

#include "demo/apidiscovery.h"
#include "demo/apiresponse.h"
#include "demo/resourcehandler.h"
#include "demo/serviceproxy.h"

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <QJsonDocument>

#include <thread>

namespace canary::demo {

namespace {

// The serving certificate, its intermediates and its key; an error message when they cannot be used.
QString useServingChain(SSL_CTX &ctx, const ApiServerOptions &options)
{
    BIO *certBio = BIO_new_mem_buf(options.certificatePem.constData(), int(options.certificatePem.size()));
    X509 *leaf = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
    const bool leafOk = leaf && SSL_CTX_use_certificate(&ctx, leaf) == 1;
    X509_free(leaf);
    while (X509 *intermediate = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add_extra_chain_cert(&ctx, intermediate) != 1)
            X509_free(intermediate);
    }
    BIO_free(certBio);
    ERR_clear_error();
    BIO *keyBio = BIO_new_mem_buf(options.keyPem.constData(), int(options.keyPem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    BIO_free(keyBio);
    const bool keyOk = key && SSL_CTX_use_PrivateKey(&ctx, key) == 1 && SSL_CTX_check_private_key(&ctx) == 1;
    EVP_PKEY_free(key);
    if (!leafOk)
        return QStringLiteral("the serving certificate is not a PEM certificate");
    if (!keyOk)
        return QStringLiteral("the serving key is not a PEM private key, or does not match the certificate");
    return {};
}

// Client certificates asked for but not required (tokens authenticate too): authenticate() looks at the result.
QString requestClientCertificates(SSL_CTX &ctx, const QByteArray &clientCaPem)
{
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    BIO *caBio = BIO_new_mem_buf(clientCaPem.constData(), int(clientCaPem.size()));
    int count = 0;
    while (X509 *ca = PEM_read_bio_X509(caBio, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, ca);
        sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
        X509_free(ca);
        ++count;
    }
    BIO_free(caBio);
    ERR_clear_error();
    if (count == 0) {
        X509_STORE_free(store);
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return QStringLiteral("the client CA file holds no PEM certificate");
    }
    SSL_CTX_set_cert_store(&ctx, store);
    SSL_CTX_set_client_CA_list(&ctx, names);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX *) { return 1; });
    return {};
}

// The user of a verified client certificate: CN the name, O the groups. False without one.
bool certificateUser(const httplib::Request &request, UserInfo *user)
{
    X509 *peer = SSL_get1_peer_certificate(request.ssl);
    if (!peer)
        return false;
    const bool verified = SSL_get_verify_result(request.ssl) == X509_V_OK;
    if (verified) {
        X509_NAME *subject = X509_get_subject_name(peer);
        for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
            const X509_NAME_ENTRY *entry = X509_NAME_get_entry(subject, i);
            const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
            const ASN1_STRING *data = X509_NAME_ENTRY_get_data(entry);
            const QString value = QString::fromUtf8(reinterpret_cast<const char *>(ASN1_STRING_get0_data(data)),
                                                    ASN1_STRING_length(data));
            if (nid == NID_commonName)
                user->name = value;
            else if (nid == NID_organizationName)
                user->groups.append(value);
        }
    }
    X509_free(peer);
    if (verified && !user->name.isEmpty()) {
        user->groups.append(QStringLiteral("system:authenticated"));
        return true;
    }
    user->groups.clear();
    return false;
}

} // namespace

ApiServer::ApiServer(ObjectStore &store, ApiServerOptions options)
    : m_store(store)
    , m_options(std::move(options))
    , m_resources(std::make_unique<ResourceHandler>(store, m_faults, m_stopping))
    , m_proxy(std::make_unique<ServiceProxy>(store))
{
    m_proxy->setPrometheusUrl(m_options.prometheusUrl);
    // The TLS set-up kube-apiserver has: the serving chain, and client certificates requested but not
    // required (tokens authenticate too); a certificate is checked against the client CA per request.
    m_server = std::make_unique<httplib::SSLServer>([this](SSL_CTX &ctx) {
        m_error = useServingChain(ctx, m_options);
        if (!m_error.isEmpty())
            return false;
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
        static const unsigned char sessionContext[] = "canarydeck-demo";
        SSL_CTX_set_session_id_context(&ctx, sessionContext, sizeof sessionContext - 1);
        if (!m_options.clientCaPem.isEmpty())
            m_error = requestClientCertificates(ctx, m_options.clientCaPem);
        return m_error.isEmpty();
    });
    // Watches hold a worker each for their whole life.
    m_server->new_task_queue = [] { return new httplib::ThreadPool(96); };
    m_server->set_keep_alive_max_count(1000);
    m_server->set_tcp_nodelay(true);
    m_server->set_read_timeout(30, 0);
    const auto handler = [this](const httplib::Request &req, httplib::Response &res) {
        route(req, res);
        encodeLikeKubeApiserver(req, res);
    };
    m_server->Get(".*", handler);
    m_server->Post(".*", handler);
    m_server->Put(".*", handler);
    m_server->Patch(".*", handler);
    m_server->Delete(".*", handler);
}

bool ApiServer::isValid() const
{
    return m_server->is_valid();
}

void ApiServer::setPrometheusUrl(const QString &url)
{
    m_proxy->setPrometheusUrl(url);
}

int ApiServer::dryRunRequests() const
{
    return m_resources->dryRunRequests();
}

ApiServer::~ApiServer()
{
    stop();
}

int ApiServer::bind(int port)
{
    if (port > 0) {
        m_port = m_server->bind_to_port("127.0.0.1", port) ? port : -1;
    } else {
        m_port = m_server->bind_to_any_port("127.0.0.1");
    }
    return m_port;
}

void ApiServer::run()
{
    m_server->listen_after_bind();
}

void ApiServer::waitUntilReady() const
{
    while (!m_server->is_running() && !m_stopping)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void ApiServer::stop()
{
    m_stopping = true;
    if (m_server)
        m_server->stop();
}

bool ApiServer::authenticate(const httplib::Request &request, httplib::Response &response, UserInfo *user) const
{
    // x509 first, then bearer tokens, as kube-apiserver's union authenticator does.
    if (!m_options.clientCaPem.isEmpty() && request.ssl && certificateUser(request, user))
        return true;
    const std::string auth = request.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
        const QString token = QString::fromStdString(auth.substr(7)).trimmed();
        if (!m_options.token.isEmpty() && token == m_options.token) {
            *user = UserInfo { QStringLiteral("demo-admin"),
                               QString(),
                               { QStringLiteral("system:masters"), QStringLiteral("system:authenticated") } };
            return true;
        }
        for (const StaticToken &t : m_options.tokens) {
            if (t.token == token) {
                *user = t.user;
                return true;
            }
        }
    }
    sendError(response, statusError(401, QStringLiteral("Unauthorized"), QStringLiteral("Unauthorized")));
    return false;
}

bool ApiServer::handleReviews(const httplib::Request &request, httplib::Response &response, const QString &path,
                              const UserInfo &user)
{
    static const QString access = QStringLiteral("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
    static const QString review = QStringLiteral("/apis/authentication.k8s.io/v1/selfsubjectreviews");
    if (path != access && path != review)
        return false;
    if (request.method != "POST") {
        sendMethodNotAllowed(response);
        return true;
    }
    if (path == review) {
        sendJson(response, 201, selfSubjectReview(user, QStringLiteral("authentication.k8s.io/v1")));
        return true;
    }
    const QJsonDocument body = QJsonDocument::fromJson(QByteArray::fromStdString(request.body));
    if (!body.isObject()) {
        sendError(response,
                  statusError(400, QStringLiteral("BadRequest"),
                              QStringLiteral("the request body is not a SelfSubjectAccessReview")));
        return true;
    }
    sendJson(response, 201, selfSubjectAccessReview(user, body.object()));
    return true;
}

// --fault: 429 and 500 answers for ordinary requests, while their counts last. True when one was sent.
bool ApiServer::injectFault(bool isWatch, httplib::Response &response)
{
    if (isWatch)
        return false;
    if (takeFault(m_faults.tooManyRequests)) {
        Error e = statusError(
                429, QStringLiteral("TooManyRequests"),
                QStringLiteral("the server has received too many requests and has asked us to try again later"));
        QJsonObject status = statusJson(e);
        status.insert(QStringLiteral("details"), QJsonObject { { QStringLiteral("retryAfterSeconds"), 1 } });
        response.set_header("Retry-After", "1");
        sendJson(response, 429, status);
        return true;
    }
    if (takeFault(m_faults.internalErrors)) {
        sendError(response,
                  statusError(500, QStringLiteral("InternalError"),
                              QStringLiteral("an error on the server (\"injected by --fault\") has prevented the "
                                             "request from succeeding")));
        return true;
    }
    return false;
}

void ApiServer::route(const httplib::Request &request, httplib::Response &response)
{
    UserInfo user;
    if (!authenticate(request, response, &user))
        return;
    if (const int ms = m_faults.slowMs.load(); ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (injectFault(isWatchRequest(request), response))
        return;
    const QString path = qs(request.path);
    if (request.method == "GET"
        && (serveDiscovery(m_store, m_port, path, response) || serveOpenApi(m_store, path, response)))
        return;
    if (handleReviews(request, response, path, user))
        return;
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (ServiceProxy::isProxyPath(segments)) {
        m_proxy->handle(request, response, segments, user);
        return;
    }
    if (segments.size() >= 3 && (segments.at(0) == QLatin1String("api") || segments.at(0) == QLatin1String("apis"))) {
        m_resources->handle(request, response, segments, user);
        return;
    }
    sendNotFound(response);
}

} // namespace canary::demo
