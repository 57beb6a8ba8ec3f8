#include "demo/apiserver.h"

#include "demo/admission.h"
#include "demo/managedfields.h"

#include "core/model/validation.h"
#include "k8s/yaml.h"

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include <zlib.h>

namespace canary::demo {

namespace {

void sendJson(httplib::Response &response, int status, const QJsonObject &object)
{
    response.status = status;
    response.set_content(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString(), "application/json");
}

void sendError(httplib::Response &response, const Error &error)
{
    sendJson(response, error.httpStatus, statusJson(error));
}

// As kube-apiserver encodes responses: gzip at level 1 for bodies of 128 KiB or more when the client accepts it,
// and no other encoding. Left to itself, httplib answers any client that names "br" (Qt does, kubectl does not) with
// brotli at its slowest quality: about 340 ms for a 200 KiB list page. Bodies go out through a sized content provider,
// which httplib sends as it is; streams (watches) are content providers already and are left alone.
void encodeLikeKubeApiserver(const httplib::Request &request, httplib::Response &response)
{
    if (response.body.empty())
        return;
    auto body = std::make_shared<std::string>(std::move(response.body));
    response.body.clear();
    const std::string accepted = request.get_header_value("Accept-Encoding");
    if (body->size() >= 128 * 1024 && accepted.find("gzip") != std::string::npos) {
        z_stream z {};
        if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
            std::string gz(deflateBound(&z, uLong(body->size())), '\0');
            z.next_in = reinterpret_cast<Bytef *>(body->data());
            z.avail_in = uInt(body->size());
            z.next_out = reinterpret_cast<Bytef *>(gz.data());
            z.avail_out = uInt(gz.size());
            if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
                gz.resize(z.total_out);
                *body = std::move(gz);
                response.set_header("Content-Encoding", "gzip");
            }
            deflateEnd(&z);
        }
    }
    const std::string contentType = response.get_header_value("Content-Type");
    response.headers.erase("Content-Type");
    response.set_content_provider(body->size(), contentType.c_str(),
                                  [body](size_t offset, size_t length, httplib::DataSink &sink) {
                                      return sink.write(body->data() + offset, std::min(length, body->size() - offset));
                                  });
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString param(const httplib::Request &request, const char *name)
{
    return request.has_param(name) ? qs(request.get_param_value(name)) : QString();
}

bool isWatchRequest(const httplib::Request &request)
{
    const QString watch = param(request, "watch");
    return watch == QLatin1String("1") || watch == QLatin1String("true");
}

QString apiVersionOf(const ResourceType &type, const QString &version)
{
    return type.group.isEmpty() ? version : type.group + QLatin1Char('/') + version;
}

QJsonObject asVersion(QJsonObject object, const QString &apiVersion)
{
    object.insert(QStringLiteral("apiVersion"), apiVersion);
    return object;
}

bool selectorMatches(const QString &selector, const QJsonObject &labels)
{
    for (const QString &raw : selector.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString term = raw.trimmed();
        if (term.contains(QLatin1String("!="))) {
            if (labels.value(term.section(QLatin1String("!="), 0, 0).trimmed()).toString()
                == term.section(QLatin1String("!="), 1).trimmed())
                return false;
        } else if (term.contains(QLatin1Char('='))) {
            const QString key = term.section(QLatin1Char('='), 0, 0).trimmed();
            const QString value = term.section(QLatin1Char('='), 1).remove(QLatin1Char('=')).trimmed();
            if (!labels.contains(key) || labels.value(key).toString() != value)
                return false;
        } else if (term.startsWith(QLatin1Char('!'))) {
            if (labels.contains(term.mid(1)))
                return false;
        } else if (!labels.contains(term)) {
            return false;
        }
    }
    return true;
}

bool fieldsMatch(const QString &selector, const QJsonObject &object)
{
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    for (const QString &raw : selector.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const bool negate = raw.contains(QLatin1String("!="));
        const QString key = raw.section(negate ? QStringLiteral("!=") : QStringLiteral("="), 0, 0).trimmed();
        const QString value = raw.section(negate ? QStringLiteral("!=") : QStringLiteral("="), 1)
                                      .remove(QLatin1Char('='))
                                      .trimmed();
        QString actual;
        if (key == QLatin1String("metadata.name"))
            actual = meta.value(QLatin1String("name")).toString();
        else if (key == QLatin1String("metadata.namespace"))
            actual = meta.value(QLatin1String("namespace")).toString();
        else
            continue;
        if ((actual == value) == negate)
            return false;
    }
    return true;
}

bool selected(const httplib::Request &request, const QJsonObject &object)
{
    return selectorMatches(param(request, "labelSelector"),
                           object.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")).toObject())
            && fieldsMatch(param(request, "fieldSelector"), object);
}

bool parseBody(const httplib::Request &request, httplib::Response &response, QJsonObject *out)
{
    const QByteArray body = QByteArray::fromStdString(request.body);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (doc.isObject()) {
        *out = doc.object();
        return true;
    }
    const Result<QJsonValue> yaml = k8s::parseYaml(body);
    if (yaml && yaml->isObject()) {
        *out = yaml->toObject();
        return true;
    }
    sendError(response,
              statusError(400, QStringLiteral("BadRequest"),
                          QStringLiteral("the request body is not a JSON object: %1").arg(error.errorString())));
    return false;
}

// A LabelSelector as its string form (metav1.FormatLabelSelector): requirements sorted by key.
QString selectorString(const QJsonObject &selector)
{
    QList<std::pair<QString, QString>> terms;
    const QJsonObject labels = selector.value(QLatin1String("matchLabels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        terms.append({ it.key(), it.key() + QLatin1Char('=') + it.value().toString() });
    for (const QJsonValue &e : selector.value(QLatin1String("matchExpressions")).toArray()) {
        const QString key = e.toObject().value(QLatin1String("key")).toString();
        const QString op = e.toObject().value(QLatin1String("operator")).toString();
        QStringList values;
        for (const QJsonValue &v : e.toObject().value(QLatin1String("values")).toArray())
            values.append(v.toString());
        values.sort();
        const QString list = QStringLiteral(" (") + values.join(QLatin1Char(',')) + QLatin1Char(')');
        terms.append({ key,
                       op == QLatin1String("In")               ? key + QStringLiteral(" in") + list
                               : op == QLatin1String("NotIn")  ? key + QStringLiteral(" notin") + list
                               : op == QLatin1String("Exists") ? key
                                                               : QLatin1Char('!') + key });
    }
    std::stable_sort(terms.begin(), terms.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList out;
    for (const auto &t : std::as_const(terms))
        out.append(t.second);
    return out.join(QLatin1Char(','));
}

// The autoscaling/v1 Scale of a Deployment, as kube-apiserver derives it (replicas 0 is omitted from spec).
QJsonObject scaleOf(const QJsonObject &deployment)
{
    const QJsonObject meta = deployment.value(QLatin1String("metadata")).toObject();
    const QJsonObject spec = deployment.value(QLatin1String("spec")).toObject();
    QJsonObject scaleMeta;
    for (const char *key : { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        scaleMeta.insert(QLatin1String(key), meta.value(QLatin1String(key)));
    const int replicas = spec.value(QLatin1String("replicas")).toInt(1);
    QJsonObject scaleSpec;
    if (replicas != 0)
        scaleSpec.insert(QStringLiteral("replicas"), replicas);
    return QJsonObject {
        { QStringLiteral("kind"), QStringLiteral("Scale") },
        { QStringLiteral("apiVersion"), QStringLiteral("autoscaling/v1") },
        { QStringLiteral("metadata"), scaleMeta },
        { QStringLiteral("spec"), scaleSpec },
        { QStringLiteral("status"),
          QJsonObject {
                  { QStringLiteral("replicas"),
                    deployment.value(QLatin1String("status")).toObject().value(QLatin1String("replicas")).toInt() },
                  { QStringLiteral("selector"), selectorString(spec.value(QLatin1String("selector")).toObject()) } } }
    };
}

bool servesScale(const ResourceType &type)
{
    return type.group == QLatin1String("apps") && type.plural == QLatin1String("deployments");
}

// A merge patch, or a strategic merge patch of a built-in kind, which the demo merges as a merge patch.
bool isMergePatch(const ResourceType &type, const std::string &contentType)
{
    const bool builtIn = type.group.isEmpty() || type.group == QLatin1String("apps");
    return contentType.rfind("application/merge-patch+json", 0) == 0
            || (builtIn && contentType.rfind("application/strategic-merge-patch+json", 0) == 0);
}

QJsonObject resourceList(const ObjectStore &store, const QString &group, const QString &version)
{
    QJsonArray resources;
    for (const ResourceType &t : store.types()) {
        if (t.group != group || !t.versions.contains(version))
            continue;
        QJsonObject r { { QStringLiteral("name"), t.plural },
                        { QStringLiteral("singularName"), t.singular },
                        { QStringLiteral("namespaced"), t.namespaced },
                        { QStringLiteral("kind"), t.kind },
                        { QStringLiteral("verbs"),
                          QJsonArray { QStringLiteral("create"), QStringLiteral("delete"), QStringLiteral("get"),
                                       QStringLiteral("list"), QStringLiteral("patch"), QStringLiteral("update"),
                                       QStringLiteral("watch") } } };
        if (!t.shortNames.isEmpty())
            r.insert(QStringLiteral("shortNames"), QJsonArray::fromStringList(t.shortNames));
        if (!t.categories.isEmpty())
            r.insert(QStringLiteral("categories"), QJsonArray::fromStringList(t.categories));
        resources.append(r);
        if (servesScale(t)) // kubectl scale finds the Scale's group and version here
            resources.append(QJsonObject {
                    { QStringLiteral("name"), QString(t.plural + QStringLiteral("/scale")) },
                    { QStringLiteral("singularName"), QString() },
                    { QStringLiteral("namespaced"), t.namespaced },
                    { QStringLiteral("group"), QStringLiteral("autoscaling") },
                    { QStringLiteral("version"), QStringLiteral("v1") },
                    { QStringLiteral("kind"), QStringLiteral("Scale") },
                    { QStringLiteral("verbs"),
                      QJsonArray { QStringLiteral("get"), QStringLiteral("patch"), QStringLiteral("update") } } });
    }
    return QJsonObject { { QStringLiteral("kind"), QStringLiteral("APIResourceList") },
                         { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                         { QStringLiteral("groupVersion"),
                           group.isEmpty() ? version : QString(group + QLatin1Char('/') + version) },
                         { QStringLiteral("resources"), resources } };
}

QJsonObject apiGroup(const QString &name, const QStringList &versions)
{
    QJsonArray vs;
    for (const QString &v : versions)
        vs.append(QJsonObject { { QStringLiteral("groupVersion"), QString(name + QLatin1Char('/') + v) },
                                { QStringLiteral("version"), v } });
    return QJsonObject { { QStringLiteral("name"), name },
                         { QStringLiteral("versions"), vs },
                         { QStringLiteral("preferredVersion"), vs.at(0) } };
}

// The review APIs: not stored, create only.
struct ReviewResource {
    const char *group;
    const char *plural;
    const char *kind;
};
constexpr ReviewResource kReviews[] = {
    { "authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview" },
    { "authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview" },
};

const ReviewResource *reviewGroup(const QString &group)
{
    for (const ReviewResource &r : kReviews) {
        if (group == QLatin1String(r.group))
            return &r;
    }
    return nullptr;
}

QJsonObject reviewResourceList(const ReviewResource &r)
{
    return QJsonObject {
        { QStringLiteral("kind"), QStringLiteral("APIResourceList") },
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("groupVersion"), QString(QLatin1String(r.group) + QStringLiteral("/v1")) },
        { QStringLiteral("resources"),
          QJsonArray { QJsonObject { { QStringLiteral("name"), QLatin1String(r.plural) },
                                     { QStringLiteral("singularName"), QString() },
                                     { QStringLiteral("namespaced"), false },
                                     { QStringLiteral("kind"), QLatin1String(r.kind) },
                                     { QStringLiteral("verbs"), QJsonArray { QStringLiteral("create") } } } } }
    };
}

QStringList groupVersions(const ObjectStore &store, const QString &group)
{
    for (const ResourceType &t : store.types()) {
        if (t.group == group)
            return t.versions;
    }
    return {};
}

} // namespace

ApiServer::ApiServer(ObjectStore &store, ApiServerOptions options)
    : m_store(store)
    , m_options(std::move(options))
{
    // The TLS set-up kube-apiserver has: the serving chain, and client certificates requested but not
    // required (tokens authenticate too); a certificate is checked against the client CA per request.
    m_server = std::make_unique<httplib::SSLServer>([this](SSL_CTX &ctx) {
        BIO *certBio = BIO_new_mem_buf(m_options.certificatePem.constData(), int(m_options.certificatePem.size()));
        X509 *leaf = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
        const bool leafOk = leaf && SSL_CTX_use_certificate(&ctx, leaf) == 1;
        X509_free(leaf);
        while (X509 *intermediate = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr)) {
            if (SSL_CTX_add_extra_chain_cert(&ctx, intermediate) != 1)
                X509_free(intermediate);
        }
        BIO_free(certBio);
        ERR_clear_error();
        BIO *keyBio = BIO_new_mem_buf(m_options.keyPem.constData(), int(m_options.keyPem.size()));
        EVP_PKEY *key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
        BIO_free(keyBio);
        const bool keyOk = key && SSL_CTX_use_PrivateKey(&ctx, key) == 1 && SSL_CTX_check_private_key(&ctx) == 1;
        EVP_PKEY_free(key);
        if (!leafOk || !keyOk) {
            m_error = !leafOk
                    ? QStringLiteral("the serving certificate is not a PEM certificate")
                    : QStringLiteral("the serving key is not a PEM private key, or does not match the certificate");
            return false;
        }
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
        static const unsigned char sessionContext[] = "canarydeck-demo";
        SSL_CTX_set_session_id_context(&ctx, sessionContext, sizeof sessionContext - 1);
        if (!m_options.clientCaPem.isEmpty()) {
            X509_STORE *store = X509_STORE_new();
            STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
            BIO *caBio = BIO_new_mem_buf(m_options.clientCaPem.constData(), int(m_options.clientCaPem.size()));
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
                m_error = QStringLiteral("the client CA file holds no PEM certificate");
                return false;
            }
            SSL_CTX_set_cert_store(&ctx, store);
            SSL_CTX_set_client_CA_list(&ctx, names);
            // Ask for a certificate, accept the handshake either way; authenticate() looks at the result.
            SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX *) { return 1; });
        }
        return true;
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
    if (!m_options.clientCaPem.isEmpty() && request.ssl) {
        if (X509 *peer = SSL_get1_peer_certificate(request.ssl)) {
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
        }
    }
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
        sendError(response,
                  statusError(405, QStringLiteral("MethodNotAllowed"),
                              QStringLiteral("the server does not allow this method on the requested resource")));
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

// Takes one from a fault's count; true when there was one to take.
static bool takeFault(std::atomic<int> &counter)
{
    int left = counter.load();
    while (left > 0 && !counter.compare_exchange_weak(left, left - 1)) { }
    return left > 0;
}

Result<bool> parseFaults(const QString &text, FaultPlan *plan)
{
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString key = item.section(QLatin1Char('='), 0, 0).trimmed();
        bool ok = false;
        const int value = item.section(QLatin1Char('='), 1).trimmed().toInt(&ok);
        if (!ok || value < 0)
            return makeError(QStringLiteral("--fault %1: expected NAME=NUMBER").arg(item));
        if (key == QLatin1String("429"))
            plan->tooManyRequests = value;
        else if (key == QLatin1String("500"))
            plan->internalErrors = value;
        else if (key == QLatin1String("410"))
            plan->expiredWatches = value;
        else if (key == QLatin1String("slow"))
            plan->slowMs = value;
        else if (key == QLatin1String("drop-watch"))
            plan->dropWatchAfterMs = value;
        else
            return makeError(
                    QStringLiteral("--fault %1: unknown fault \"%2\" (429=N, 500=N, 410=N, slow=MS, drop-watch=MS)")
                            .arg(item, key));
    }
    return true;
}

void ApiServer::route(const httplib::Request &request, httplib::Response &response)
{
    UserInfo user;
    if (!authenticate(request, response, &user))
        return;
    const bool isWatch = isWatchRequest(request);
    if (const int ms = m_faults.slowMs.load(); ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (!isWatch && takeFault(m_faults.tooManyRequests)) {
        Error e = statusError(
                429, QStringLiteral("TooManyRequests"),
                QStringLiteral("the server has received too many requests and has asked us to try again later"));
        QJsonObject status = statusJson(e);
        status.insert(QStringLiteral("details"), QJsonObject { { QStringLiteral("retryAfterSeconds"), 1 } });
        response.set_header("Retry-After", "1");
        sendJson(response, 429, status);
        return;
    }
    if (!isWatch && takeFault(m_faults.internalErrors)) {
        sendError(response,
                  statusError(500, QStringLiteral("InternalError"),
                              QStringLiteral("an error on the server (\"injected by --fault\") has prevented the "
                                             "request from succeeding")));
        return;
    }
    const QString path = qs(request.path);
    if (request.method == "GET" && (handleDiscovery(path, response) || handleOpenApi(path, response)))
        return;
    if (handleReviews(request, response, path, user))
        return;
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (segments.size() >= 3 && (segments.at(0) == QLatin1String("api") || segments.at(0) == QLatin1String("apis"))) {
        handleResource(request, response, segments, user);
        return;
    }
    sendError(response,
              statusError(404, QStringLiteral("NotFound"),
                          QStringLiteral("the server could not find the requested resource")));
}

bool ApiServer::handleDiscovery(const QString &path, httplib::Response &response)
{
    if (path == QLatin1String("/version")) {
        sendJson(response, 200,
                 QJsonObject { { QStringLiteral("major"), QStringLiteral("1") },
                               { QStringLiteral("minor"), QStringLiteral("31") },
                               { QStringLiteral("gitVersion"), QStringLiteral("v1.31.0-canarydeck-demo") },
                               { QStringLiteral("gitCommit"), QStringLiteral("canarydeck") },
                               { QStringLiteral("gitTreeState"), QStringLiteral("clean") },
                               { QStringLiteral("buildDate"), QStringLiteral("2026-01-01T00:00:00Z") },
                               { QStringLiteral("goVersion"), QStringLiteral("n/a") },
                               { QStringLiteral("compiler"), QStringLiteral("gcc") },
                               { QStringLiteral("platform"), QStringLiteral("linux/amd64") } });
        return true;
    }
    if (path == QLatin1String("/api")) {
        sendJson(response, 200,
                 QJsonObject {
                         { QStringLiteral("kind"), QStringLiteral("APIVersions") },
                         { QStringLiteral("versions"), QJsonArray { QStringLiteral("v1") } },
                         { QStringLiteral("serverAddressByClientCIDRs"),
                           QJsonArray { QJsonObject { { QStringLiteral("clientCIDR"), QStringLiteral("0.0.0.0/0") },
                                                      { QStringLiteral("serverAddress"),
                                                        QStringLiteral("127.0.0.1:%1").arg(m_port) } } } } });
        return true;
    }
    if (path == QLatin1String("/apis")) {
        QJsonArray groups;
        QStringList seen;
        for (const ResourceType &t : m_store.types()) {
            if (t.group.isEmpty() || seen.contains(t.group))
                continue;
            seen.append(t.group);
            groups.append(apiGroup(t.group, t.versions));
        }
        for (const ReviewResource &r : kReviews)
            groups.append(apiGroup(QLatin1String(r.group), { QStringLiteral("v1") }));
        sendJson(response, 200,
                 QJsonObject { { QStringLiteral("kind"), QStringLiteral("APIGroupList") },
                               { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                               { QStringLiteral("groups"), groups } });
        return true;
    }
    if (path == QLatin1String("/api/v1")) {
        sendJson(response, 200, resourceList(m_store, {}, QStringLiteral("v1")));
        return true;
    }
    const QStringList seg = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (seg.size() >= 2 && seg.size() <= 3 && seg.at(0) == QLatin1String("apis")) {
        if (const ReviewResource *r = reviewGroup(seg.at(1))) {
            if (seg.size() == 3 && seg.at(2) != QLatin1String("v1"))
                return false;
            QJsonObject group = apiGroup(seg.at(1), { QStringLiteral("v1") });
            group.insert(QStringLiteral("kind"), QStringLiteral("APIGroup"));
            group.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
            sendJson(response, 200, seg.size() == 2 ? group : reviewResourceList(*r));
            return true;
        }
    }
    if (seg.size() == 2 && seg.at(0) == QLatin1String("apis")) {
        const QStringList versions = groupVersions(m_store, seg.at(1));
        if (versions.isEmpty())
            return false;
        QJsonObject group = apiGroup(seg.at(1), versions);
        group.insert(QStringLiteral("kind"), QStringLiteral("APIGroup"));
        group.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
        sendJson(response, 200, group);
        return true;
    }
    if (seg.size() == 3 && seg.at(0) == QLatin1String("apis")) {
        if (!groupVersions(m_store, seg.at(1)).contains(seg.at(2)))
            return false;
        sendJson(response, 200, resourceList(m_store, seg.at(1), seg.at(2)));
        return true;
    }
    return false;
}

bool ApiServer::handleOpenApi(const QString &path, httplib::Response &response)
{
    if (!path.startsWith(QLatin1String("/openapi/v3")))
        return false;
    QStringList gvs { QStringLiteral("api/v1") };
    for (const ResourceType &t : m_store.types()) {
        for (const QString &v : t.versions) {
            const QString gv = t.group.isEmpty() ? QString(QStringLiteral("api/") + v)
                                                 : QString(QStringLiteral("apis/") + t.group + QLatin1Char('/') + v);
            if (!gvs.contains(gv))
                gvs.append(gv);
        }
    }
    if (path == QLatin1String("/openapi/v3") || path == QLatin1String("/openapi/v3/")) {
        QJsonObject paths;
        for (const QString &gv : gvs)
            paths.insert(gv,
                         QJsonObject { { QStringLiteral("serverRelativeURL"),
                                         QString(QStringLiteral("/openapi/v3/") + gv + QStringLiteral("?hash=1")) } });
        sendJson(response, 200, QJsonObject { { QStringLiteral("paths"), paths } });
        return true;
    }
    const QString gv = path.mid(QStringLiteral("/openapi/v3/").size());
    if (!gvs.contains(gv))
        return false;
    const QStringList parts = gv.split(QLatin1Char('/'));
    const QString group = parts.size() == 3 ? parts.at(1) : QString();
    const QString version = parts.constLast();
    QJsonObject paths;
    QJsonObject components;
    const QJsonArray fieldValidation {
        QJsonObject {
                { QStringLiteral("name"), QStringLiteral("fieldValidation") },
                { QStringLiteral("in"), QStringLiteral("query") },
                { QStringLiteral("schema"), QJsonObject { { QStringLiteral("type"), QStringLiteral("string") } } } },
        QJsonObject {
                { QStringLiteral("name"), QStringLiteral("dryRun") },
                { QStringLiteral("in"), QStringLiteral("query") },
                { QStringLiteral("schema"), QJsonObject { { QStringLiteral("type"), QStringLiteral("string") } } } }
    };
    for (const ResourceType &t : m_store.types()) {
        if (t.group != group || !t.versions.contains(version))
            continue;
        const QJsonObject gvk { { QStringLiteral("group"), t.group },
                                { QStringLiteral("version"), version },
                                { QStringLiteral("kind"), t.kind } };
        const QString schemaName = (t.group.isEmpty() ? QStringLiteral("io.k8s.api.core.")
                                                      : QStringLiteral("io.canarydeck.") + t.group + QLatin1Char('.'))
                + version + QLatin1Char('.') + t.kind;
        QJsonObject schema = t.group.isEmpty() || t.group == QLatin1String("apps") ? QJsonObject()
                                                                                   : core::istioSchema(t.kind, version);
        if (schema.isEmpty())
            schema = QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                                   { QStringLiteral("x-kubernetes-preserve-unknown-fields"), true } };
        schema.insert(QStringLiteral("x-kubernetes-group-version-kind"), QJsonArray { gvk });
        components.insert(schemaName, schema);
        const QJsonObject body {
            { QStringLiteral("content"),
              QJsonObject { { QStringLiteral("application/json"),
                              QJsonObject { { QStringLiteral("schema"),
                                              QJsonObject { { QStringLiteral("$ref"),
                                                              QString(QStringLiteral("#/components/schemas/")
                                                                      + schemaName) } } } } } } }
        };
        const QJsonObject op { { QStringLiteral("x-kubernetes-group-version-kind"), gvk },
                               { QStringLiteral("parameters"), fieldValidation },
                               { QStringLiteral("requestBody"), body },
                               { QStringLiteral("responses"), QJsonObject { { QStringLiteral("200"), body } } } };
        const QString base = QLatin1Char('/') + gv
                + (t.namespaced ? QStringLiteral("/namespaces/{namespace}/") : QStringLiteral("/")) + t.plural;
        paths.insert(base, QJsonObject { { QStringLiteral("post"), op }, { QStringLiteral("get"), op } });
        paths.insert(base + QStringLiteral("/{name}"),
                     QJsonObject { { QStringLiteral("get"), op },
                                   { QStringLiteral("put"), op },
                                   { QStringLiteral("patch"), op },
                                   { QStringLiteral("delete"), op } });
    }
    sendJson(response, 200,
             QJsonObject {
                     { QStringLiteral("openapi"), QStringLiteral("3.0.0") },
                     { QStringLiteral("info"),
                       QJsonObject { { QStringLiteral("title"), QStringLiteral("Kubernetes") },
                                     { QStringLiteral("version"), QStringLiteral("v1.31.0") } } },
                     { QStringLiteral("paths"), paths },
                     { QStringLiteral("components"), QJsonObject { { QStringLiteral("schemas"), components } } } });
    return true;
}

void ApiServer::handleResource(const httplib::Request &request, httplib::Response &response,
                               const QStringList &segments, const UserInfo &user)
{
    QString group;
    QString version;
    QStringList rest;
    if (segments.at(0) == QLatin1String("api")) {
        version = segments.at(1);
        rest = segments.mid(2);
    } else {
        if (segments.size() < 4) {
            sendError(response,
                      statusError(404, QStringLiteral("NotFound"),
                                  QStringLiteral("the server could not find the requested resource")));
            return;
        }
        group = segments.at(1);
        version = segments.at(2);
        rest = segments.mid(3);
    }
    QString ns;
    if (rest.size() >= 3 && rest.at(0) == QLatin1String("namespaces")) {
        ns = rest.at(1);
        rest = rest.mid(2);
    }
    const QString plural = rest.value(0);
    const QString name = rest.value(1);
    const QString subresource = rest.value(2);
    const ResourceType *type = m_store.findType(group, plural);
    const bool knownSubresource = subresource.isEmpty() || subresource == QLatin1String("status")
            || (type && subresource == QLatin1String("scale") && servesScale(*type));
    if (!type || !type->versions.contains(version) || rest.size() > 3 || !knownSubresource
        || (!type->namespaced && !ns.isEmpty())) {
        sendError(response,
                  statusError(404, QStringLiteral("NotFound"),
                              QStringLiteral("the server could not find the requested resource")));
        return;
    }
    const QString apiVersion = apiVersionOf(*type, version);
    const bool dryRun = param(request, "dryRun") == QLatin1String("All");
    if (dryRun)
        ++m_dryRuns;
    const std::string &method = request.method;
    const bool isWatch = isWatchRequest(request);
    const QString verb = method == "GET" ? (!name.isEmpty()   ? QStringLiteral("get")
                                                    : isWatch ? QStringLiteral("watch")
                                                              : QStringLiteral("list"))
            : method == "POST"           ? QStringLiteral("create")
            : method == "PUT"            ? QStringLiteral("update")
            : method == "PATCH"          ? QStringLiteral("patch")
            : name.isEmpty()             ? QStringLiteral("deletecollection")
                                         : QStringLiteral("delete");
    if (!isAllowed(user, verb)) {
        sendJson(response, 403,
                 forbiddenStatus(user, verb, type->group,
                                 subresource.isEmpty() ? plural : plural + QLatin1Char('/') + subresource, name, ns));
        return;
    }

    QStringList warnings;
    const auto sendResult = [&](const Result<QJsonObject> &result, int okStatus) {
        for (const QString &w : std::as_const(warnings)) {
            const QString quoted = QString(w).replace(QLatin1Char('"'), QStringLiteral("\\\""));
            response.set_header("Warning", QStringLiteral("299 - \"%1\"").arg(quoted).toStdString());
        }
        if (result)
            sendJson(response, okStatus, asVersion(*result, apiVersion));
        else
            sendError(response, result.error());
    };
    // Writes: who manages the fields (fieldManager, else the User-Agent's product, as kube-apiserver
    // does), and what the CRD's schema says about the object (fieldValidation).
    QString manager = param(request, "fieldManager");
    if (manager.isEmpty())
        manager = qs(request.get_header_value("User-Agent")).section(QLatin1Char('/'), 0, 0).trimmed();
    if (manager.isEmpty())
        manager = QStringLiteral("unknown");
    const Result<FieldValidation> validation = parseFieldValidation(param(request, "fieldValidation"));
    if (method != "GET" && method != "DELETE" && !validation) {
        sendError(response, validation.error());
        return;
    }
    if (subresource == QLatin1String("scale")) {
        handleScale(request, response, *type, ns, name, manager, apiVersion, dryRun);
        return;
    }
    const std::string contentType = request.get_header_value("Content-Type");
    const bool jsonBody
            = contentType.rfind("application/json", 0) == 0 || contentType.find("+json") != std::string::npos;
    const QStringList duplicates
            = jsonBody ? duplicateJsonFields(QByteArray::fromStdString(request.body)) : QStringList();
    const auto admission = [&, apiVersion](bool recordManager) -> ObjectStore::Admission {
        const FieldValidation mode = validation ? *validation : FieldValidation::Warn;
        return [&, type, mode, recordManager, apiVersion](const QJsonObject *live,
                                                          QJsonObject next) -> Result<QJsonObject> {
            Result<QJsonObject> admitted = admitCustomResource(*type, std::move(next), mode, duplicates, &warnings);
            if (!admitted || !recordManager)
                return admitted;
            return recordUpdate(live, *admitted, manager, apiVersion);
        };
    };

    if (method == "GET" && name.isEmpty()) {
        if (isWatch) {
            handleWatch(request, response, *type, ns, apiVersion);
            return;
        }
        qint64 rv = 0;
        QList<QJsonObject> all = m_store.list(*type, ns, &rv);
        QJsonArray items;
        QList<QJsonObject> chosen;
        for (const QJsonObject &o : all) {
            if (selected(request, o))
                chosen.append(o);
        }
        const int limit = param(request, "limit").toInt();
        int offset = 0;
        const QString cont = param(request, "continue");
        if (!cont.isEmpty() && takeFault(m_faults.expiredWatches)) { // --fault 410=N: as after an etcd compaction
            sendError(response,
                      statusError(
                              410, QStringLiteral("Expired"),
                              QStringLiteral(
                                      "The provided continue parameter is too old to display a consistent list result. "
                                      "You can start a new list without the continue parameter.")));
            return;
        }
        if (!cont.isEmpty()) {
            const QStringList token
                    = QString::fromUtf8(QByteArray::fromBase64(cont.toLatin1())).split(QLatin1Char(':'));
            offset = token.value(0).toInt();
            rv = token.value(1).toLongLong();
        }
        const int end = limit > 0 ? qMin(int(chosen.size()), offset + limit) : int(chosen.size());
        for (int i = offset; i < end; ++i)
            items.append(asVersion(chosen.at(i), apiVersion));
        QJsonObject meta { { QStringLiteral("resourceVersion"), QString::number(rv) } };
        if (end < chosen.size()) {
            meta.insert(QStringLiteral("continue"),
                        QString::fromLatin1(QStringLiteral("%1:%2").arg(end).arg(rv).toUtf8().toBase64()));
            meta.insert(QStringLiteral("remainingItemCount"), int(chosen.size()) - end);
        }
        sendJson(response, 200,
                 QJsonObject { { QStringLiteral("kind"), QString(type->kind + QStringLiteral("List")) },
                               { QStringLiteral("apiVersion"), apiVersion },
                               { QStringLiteral("metadata"), meta },
                               { QStringLiteral("items"), items } });
        return;
    }
    if (method == "GET") {
        sendResult(m_store.get(*type, ns, name), 200);
        return;
    }
    if (method == "POST" && name.isEmpty()) {
        QJsonObject body;
        if (parseBody(request, response, &body))
            sendResult(m_store.create(*type, ns, body, dryRun, admission(true)), 201);
        return;
    }
    if (method == "PUT" && !name.isEmpty()) {
        QJsonObject body;
        if (parseBody(request, response, &body))
            sendResult(m_store.replace(*type, ns, name, body, dryRun, admission(true)), 200);
        return;
    }
    if (method == "PATCH" && !name.isEmpty() && contentType.rfind("application/apply-patch+yaml", 0) == 0) {
        // Server-side apply: the body is the manager's whole intent.
        if (param(request, "fieldManager").isEmpty()) {
            sendError(response,
                      statusError(400, QStringLiteral("BadRequest"),
                                  QStringLiteral("PATCH %1: fieldManager is required for apply requests")
                                          .arg(qs(request.path))));
            return;
        }
        QJsonObject body;
        if (!parseBody(request, response, &body))
            return;
        if (body.value(QLatin1String("apiVersion")).toString().isEmpty()
            || body.value(QLatin1String("kind")).toString() != type->kind) {
            sendError(response,
                      statusError(400, QStringLiteral("BadRequest"),
                                  QStringLiteral("the apply body must give apiVersion and kind %1").arg(type->kind)));
            return;
        }
        const bool force = param(request, "force") == QLatin1String("true");
        sendResult(m_store.apply(*type, ns, name, body, manager, force, dryRun, admission(false)), 200);
        return;
    }
    if (method == "PATCH" && !name.isEmpty()) {
        if (!isMergePatch(*type, contentType)) {
            sendError(
                    response,
                    statusError(415, QStringLiteral("UnsupportedMediaType"),
                                QStringLiteral(
                                        "the body of the request was in an unknown format - accepted media "
                                        "types include: application/merge-patch+json, application/apply-patch+yaml")));
            return;
        }
        QJsonObject body;
        if (parseBody(request, response, &body))
            sendResult(m_store.mergePatch(*type, ns, name, body, dryRun, admission(true)), 200);
        return;
    }
    if (method == "DELETE" && !name.isEmpty()) {
        sendResult(m_store.remove(*type, ns, name, dryRun), 200);
        return;
    }
    sendError(response,
              statusError(405, QStringLiteral("MethodNotAllowed"),
                          QStringLiteral("the server does not allow this method on the requested resource")));
}

void ApiServer::handleScale(const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                            const QString &ns, const QString &name, const QString &manager, const QString &apiVersion,
                            bool dryRun)
{
    const std::string &method = request.method;
    if (method == "GET") {
        const Result<QJsonObject> deployment = m_store.get(type, ns, name);
        if (deployment)
            sendJson(response, 200, scaleOf(*deployment));
        else
            sendError(response, deployment.error());
        return;
    }
    if (method != "PUT" && method != "PATCH") {
        sendError(response,
                  statusError(405, QStringLiteral("MethodNotAllowed"),
                              QStringLiteral("the server does not allow this method on the requested resource")));
        return;
    }
    if (method == "PATCH" && !isMergePatch(type, request.get_header_value("Content-Type"))) {
        sendError(
                response,
                statusError(415, QStringLiteral("UnsupportedMediaType"),
                            QStringLiteral(
                                    "the body of the request was in an unknown format - accepted media types include: "
                                    "application/merge-patch+json, application/strategic-merge-patch+json")));
        return;
    }
    QJsonObject body;
    if (!parseBody(request, response, &body))
        return;
    const QString kind = body.value(QLatin1String("kind")).toString();
    if (method == "PUT" && !kind.isEmpty() && kind != QLatin1String("Scale")) {
        sendError(
                response,
                statusError(
                        400, QStringLiteral("BadRequest"),
                        QStringLiteral("the body of a scale request is an autoscaling/v1 Scale, not a %1").arg(kind)));
        return;
    }
    const auto change = [&](const QJsonObject &live) -> Result<QJsonObject> {
        const QJsonObject scale = method == "PUT" ? body : ObjectStore::mergePatchJson(scaleOf(live), body);
        const QJsonObject scaleMeta = scale.value(QLatin1String("metadata")).toObject();
        const QString bodyName = scaleMeta.value(QLatin1String("name")).toString();
        if (!bodyName.isEmpty() && bodyName != name)
            return statusError(400, QStringLiteral("BadRequest"),
                               QStringLiteral("the name of the object (%1) does not match the name on the URL (%2)")
                                       .arg(bodyName, name));
        const QJsonValue replicas = scale.value(QLatin1String("spec")).toObject().value(QLatin1String("replicas"));
        const double count = replicas.isUndefined() || replicas.isNull() ? 0 : replicas.toDouble(-0.5);
        if (count != std::floor(count) || count > std::numeric_limits<qint32>::max())
            return statusError(
                    400, QStringLiteral("BadRequest"),
                    QStringLiteral(
                            "Scale in version \"v1\" cannot be handled as a Scale: spec.replicas must be an int32"));
        if (count < 0)
            return statusError(422, QStringLiteral("Invalid"),
                               QStringLiteral("Scale.autoscaling \"%1\" is invalid: spec.replicas: Invalid value: %2: "
                                              "must be greater than or equal to 0")
                                       .arg(name)
                                       .arg(qint64(count)));
        QJsonObject next = live;
        QJsonObject spec = next.value(QLatin1String("spec")).toObject();
        spec.insert(QStringLiteral("replicas"), int(count));
        next.insert(QStringLiteral("spec"), spec);
        // The Scale's resourceVersion is the Deployment's: given, it is a precondition.
        QJsonObject meta = next.value(QLatin1String("metadata")).toObject();
        meta.insert(QStringLiteral("resourceVersion"), scaleMeta.value(QLatin1String("resourceVersion")).toString());
        next.insert(QStringLiteral("metadata"), meta);
        return next;
    };
    const auto admit = [&](const QJsonObject *live, QJsonObject next) -> Result<QJsonObject> {
        return recordUpdate(live, std::move(next), manager, apiVersion, QStringLiteral("scale"));
    };
    const Result<QJsonObject> written = m_store.update(type, ns, name, change, dryRun, admit);
    if (written)
        sendJson(response, 200, scaleOf(*written));
    else
        sendError(response, written.error());
}

void ApiServer::handleWatch(const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                            const QString &ns, const QString &apiVersion)
{
    const QString rvParam = param(request, "resourceVersion");
    const int timeoutSeconds
            = param(request, "timeoutSeconds").isEmpty() ? 1800 : param(request, "timeoutSeconds").toInt();
    const bool bookmarks = param(request, "allowWatchBookmarks") == QLatin1String("true");
    const QString labelSelector = param(request, "labelSelector");
    const QString fieldSelector = param(request, "fieldSelector");
    struct State {
        qint64 after = 0;
        bool initial = false;
        QDateTime deadline;
        QDateTime nextBookmark;
        bool expired = false;
    };
    auto state = std::make_shared<State>();
    state->deadline = QDateTime::currentDateTimeUtc().addSecs(qMax(1, timeoutSeconds));
    state->nextBookmark = QDateTime::currentDateTimeUtc().addSecs(10);
    const int dropAfter = m_faults.dropWatchAfterMs.load();
    const QDateTime dropAt = dropAfter > 0 ? QDateTime::currentDateTimeUtc().addMSecs(dropAfter) : QDateTime();
    if (rvParam.isEmpty() || rvParam == QLatin1String("0")) {
        state->initial = true;
        state->after = 0;
    } else {
        state->after = rvParam.toLongLong();
        state->expired = takeFault(m_faults.expiredWatches); // --fault 410=N: as after an etcd compaction
    }
    const ResourceType *typePtr = &type;
    response.status = 200;
    // A compressed stream would hold events back in the compressor: watch responses go out as they are.
    response.set_chunked_content_provider(
            "application/json;stream=watch",
            [this, state, typePtr, ns, apiVersion, bookmarks, labelSelector, fieldSelector,
             dropAt](size_t, httplib::DataSink &sink) {
                if (dropAt.isValid() && QDateTime::currentDateTimeUtc() >= dropAt)
                    return false; // --fault drop-watch: cut the stream without a clean end
                const auto write = [&](const QString &type, const QJsonObject &object) {
                    const QByteArray line = QJsonDocument(QJsonObject { { QStringLiteral("type"), type },
                                                                        { QStringLiteral("object"), object } })
                                                    .toJson(QJsonDocument::Compact)
                            + '\n';
                    return sink.write(line.constData(), size_t(line.size()));
                };
                const auto wanted = [&](const QJsonObject &object) {
                    return selectorMatches(labelSelector,
                                           object.value(QLatin1String("metadata"))
                                                   .toObject()
                                                   .value(QLatin1String("labels"))
                                                   .toObject())
                            && fieldsMatch(fieldSelector, object);
                };
                if (m_stopping) {
                    sink.done();
                    return true;
                }
                if (state->initial) {
                    state->initial = false;
                    qint64 rv = 0;
                    for (const QJsonObject &o : m_store.list(*typePtr, ns, &rv)) {
                        if (wanted(o) && !write(QStringLiteral("ADDED"), asVersion(o, apiVersion)))
                            return false;
                    }
                    state->after = rv;
                    return true;
                }
                QList<WatchEvent> events;
                qint64 scanned = 0;
                if (state->expired
                    || !m_store.eventsAfter(state->after, *typePtr, ns,
                                            std::chrono::milliseconds(dropAt.isValid() ? 50 : 500), &events,
                                            &scanned)) {
                    write(QStringLiteral("ERROR"),
                          statusJson(statusError(410, QStringLiteral("Expired"),
                                                 QStringLiteral("too old resource version: %1 (%2)")
                                                         .arg(state->after)
                                                         .arg(m_store.currentResourceVersion()))));
                    sink.done();
                    return true;
                }
                for (const WatchEvent &e : events) {
                    if (wanted(e.object) && !write(e.type, asVersion(e.object, apiVersion)))
                        return false;
                }
                state->after = scanned;
                const QDateTime now = QDateTime::currentDateTimeUtc();
                if (bookmarks && now >= state->nextBookmark) {
                    state->nextBookmark = now.addSecs(10);
                    QJsonObject bookmark {
                        { QStringLiteral("kind"), typePtr->kind },
                        { QStringLiteral("apiVersion"), apiVersion },
                        { QStringLiteral("metadata"),
                          QJsonObject { { QStringLiteral("resourceVersion"), QString::number(state->after) } } }
                    };
                    if (!write(QStringLiteral("BOOKMARK"), bookmark))
                        return false;
                }
                if (now >= state->deadline) {
                    sink.done();
                    return true;
                }
                return sink.is_writable();
            });
}

} // namespace canary::demo
