#include "core/edit/releaseedits.h"
#include "core/model/istio.h"
#include "core/session/releasesession.h"
#include "demo/certificates.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/reflector.h"
#include "tests/support/testcluster.h"
#include "tests/support/testproxy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace canary;

class TestDemoCluster : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void versionAndDiscovery();
    void listsEveryIstioVersion_data();
    void listsEveryIstioVersion();
    void unauthenticatedIs401();
    void replaceWithResourceVersion();
    void mergePatch();
    void podsFollowDeployments();
    void scaleSubresource();
    void pagination();
    void watchSeesChangesByOthers();
    void sessionBuildsReleases();
    void sessionApplyStaleIsAConflict();
    void viewersReadButCannotWrite();
    void accessReviews_data();
    void accessReviews();
    void clientCertificates_data();
    void clientCertificates();
    void sessionAsksBeforeOfferingWrites_data();
    void sessionAsksBeforeOfferingWrites();
    void fieldValidation_data();
    void fieldValidation();
    void serverSideApply();
    void throttledRequestsAreRetried();
    void serverErrorsAreRetriedForReadsOnly();
    void watchSurvivesDroppedStreams();
    void expiredContinueRestartsTheList();
    void requestsRecoverFromAHungProxy();

private:
    k8s::KubeReply *send(const k8s::KubeRequest &request);
    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<k8s::KubeClient> m_client;
};

static const QString kVs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices");

void TestDemoCluster::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>();
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_client = std::make_unique<k8s::KubeClient>(m_cluster->endpoint());
}

void TestDemoCluster::cleanupTestCase()
{
    m_client.reset();
    m_cluster.reset();
}

k8s::KubeReply *TestDemoCluster::send(const k8s::KubeRequest &request)
{
    k8s::KubeReply *reply = m_client->send(request);
    QSignalSpy spy(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        spy.wait(20000);
    return reply;
}

void TestDemoCluster::versionAndDiscovery()
{
    k8s::KubeReply *version = send(k8s::KubeRequest::get(QStringLiteral("/version")));
    QVERIFY2(version->ok(), qPrintable(version->error().message));
    QCOMPARE(version->json().value(QLatin1String("major")).toString(), QStringLiteral("1"));
    k8s::KubeReply *apis = send(k8s::KubeRequest::get(QStringLiteral("/apis")));
    QVERIFY(apis->ok());
    bool istio = false;
    for (const QJsonValue &g : apis->json().value(QLatin1String("groups")).toArray()) {
        if (g.toObject().value(QLatin1String("name")).toString() == QLatin1String("networking.istio.io")) {
            istio = true;
            QCOMPARE(g.toObject()
                             .value(QLatin1String("preferredVersion"))
                             .toObject()
                             .value(QLatin1String("version"))
                             .toString(),
                     QStringLiteral("v1"));
            QCOMPARE(g.toObject().value(QLatin1String("versions")).toArray().size(), 3);
        }
    }
    QVERIFY(istio);
    k8s::KubeReply *resources = send(k8s::KubeRequest::get(QStringLiteral("/apis/networking.istio.io/v1beta1")));
    QVERIFY(resources->ok());
    QVERIFY(QJsonDocument(resources->json()).toJson().contains("\"vs\""));
}

void TestDemoCluster::listsEveryIstioVersion_data()
{
    QTest::addColumn<QString>("version");
    QTest::newRow("v1") << QStringLiteral("v1");
    QTest::newRow("v1beta1") << QStringLiteral("v1beta1");
    QTest::newRow("v1alpha3") << QStringLiteral("v1alpha3");
}

void TestDemoCluster::listsEveryIstioVersion()
{
    QFETCH(QString, version);
    k8s::KubeReply *reply = send(
            k8s::KubeRequest::get(k8s::collectionPath(QStringLiteral("networking.istio.io"), version,
                                                      QStringLiteral("default"), QStringLiteral("virtualservices"))));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    const QJsonArray items = reply->json().value(QLatin1String("items")).toArray();
    QStringList names;
    for (const QJsonValue &i : items) {
        names.append(core::objectName(i.toObject()));
        QCOMPARE(i.toObject().value(QLatin1String("apiVersion")).toString(),
                 QStringLiteral("networking.istio.io/") + version);
        QVERIFY(!i.toObject()
                         .value(QLatin1String("metadata"))
                         .toObject()
                         .value(QLatin1String("uid"))
                         .toString()
                         .isEmpty());
    }
    names.sort();
    QCOMPARE(names,
             (QStringList { QStringLiteral("color-is-vs"), QStringLiteral("greeting"), QStringLiteral("myapp"),
                            QStringLiteral("sample-vs"), QStringLiteral("web-virtualservice") }));
}

void TestDemoCluster::unauthenticatedIs401()
{
    k8s::ClusterEndpoint anonymous = m_cluster->endpoint();
    anonymous.token.clear();
    k8s::KubeClient client(anonymous);
    k8s::KubeReply *reply = client.send(k8s::KubeRequest::get(kVs));
    QSignalSpy spy(reply, &k8s::KubeReply::finished);
    QVERIFY(spy.wait(20000));
    QCOMPARE(reply->httpStatus(), 401);
    QCOMPARE(reply->error().reason, QStringLiteral("Unauthorized"));
    QVERIFY2(reply->error().message.contains(QLatin1String("credentials")), qPrintable(reply->error().message));
    // A wrong CA fails the TLS handshake with a message that says where to look.
    k8s::ClusterEndpoint wrongCa = m_cluster->endpoint();
    const auto otherCa = demo::generateServingCertificates();
    QVERIFY(otherCa.ok());
    wrongCa.caCertificates = QSslCertificate::fromData(otherCa->caCertificatePem);
    k8s::KubeClient tls(wrongCa);
    k8s::KubeReply *tlsReply = tls.send(k8s::KubeRequest::get(kVs));
    QSignalSpy tlsSpy(tlsReply, &k8s::KubeReply::finished);
    QVERIFY(tlsSpy.wait(20000));
    QVERIFY(!tlsReply->ok());
    QVERIFY2(tlsReply->error().message.contains(QLatin1String("TLS"))
                     || tlsReply->error().message.contains(QLatin1String("certificate")),
             qPrintable(tlsReply->error().message));
}

void TestDemoCluster::replaceWithResourceVersion()
{
    const QString path = kVs + QStringLiteral("/myapp");
    k8s::KubeReply *get = send(k8s::KubeRequest::get(path));
    QVERIFY(get->ok());
    QJsonObject vs = get->json();
    const QString rv = core::resourceVersion(vs);
    const qint64 generation
            = vs.value(QLatin1String("metadata")).toObject().value(QLatin1String("generation")).toInteger();
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("hosts"), QJsonArray { QStringLiteral("*") });
    QJsonArray http = spec.value(QLatin1String("http")).toArray();
    QJsonObject route = http.at(0).toObject();
    route.insert(QStringLiteral("timeout"), QStringLiteral("5s"));
    http.replace(0, route);
    spec.insert(QStringLiteral("http"), http);
    vs.insert(QStringLiteral("spec"), spec);
    k8s::KubeReply *put = send(k8s::KubeRequest::replace(path, QJsonDocument(vs).toJson()));
    QVERIFY2(put->ok(), qPrintable(put->error().message));
    QVERIFY(core::resourceVersion(put->json()) != rv);
    QCOMPARE(put->json().value(QLatin1String("metadata")).toObject().value(QLatin1String("generation")).toInteger(),
             generation + 1);

    // The same body again carries a stale resourceVersion: 409 Conflict, nothing overwritten.
    k8s::KubeReply *stale = send(k8s::KubeRequest::replace(path, QJsonDocument(vs).toJson()));
    QCOMPARE(stale->httpStatus(), 409);
    QCOMPARE(stale->error().reason, QStringLiteral("Conflict"));
    QVERIFY(stale->error().message.contains(QLatin1String("the object has been modified")));

    // A custom resource needs a resourceVersion on PUT.
    QJsonObject meta = vs.value(QLatin1String("metadata")).toObject();
    meta.remove(QStringLiteral("resourceVersion"));
    vs.insert(QStringLiteral("metadata"), meta);
    k8s::KubeReply *missing = send(k8s::KubeRequest::replace(path, QJsonDocument(vs).toJson()));
    QCOMPARE(missing->httpStatus(), 422);
    QVERIFY(missing->error().message.contains(QLatin1String("must be specified for an update")));
}

void TestDemoCluster::mergePatch()
{
    const QString path = kVs + QStringLiteral("/sample-vs");
    k8s::KubeReply *patch = send(k8s::KubeRequest::mergePatch(path, R"({"metadata":{"labels":{"team":"web"}}})"));
    QVERIFY2(patch->ok(), qPrintable(patch->error().message));
    QCOMPARE(core::labelsOf(patch->json()).value(QLatin1String("team")).toString(), QStringLiteral("web"));
    QVERIFY(!patch->json().value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray().isEmpty());
    k8s::KubeRequest strategic = k8s::KubeRequest::mergePatch(path, "{}");
    strategic.contentType = "application/strategic-merge-patch+json";
    k8s::KubeReply *unsupported = send(strategic);
    QCOMPARE(unsupported->httpStatus(), 415);
}

void TestDemoCluster::podsFollowDeployments()
{
    k8s::KubeReply *pods = send(k8s::KubeRequest::get(QStringLiteral("/api/v1/namespaces/default/pods")));
    QVERIFY(pods->ok());
    int webserverV1 = 0;
    for (const QJsonValue &p : pods->json().value(QLatin1String("items")).toArray()) {
        const QJsonObject labels = core::labelsOf(p.toObject());
        if (labels.value(QLatin1String("app")).toString() == QLatin1String("webserver")
            && labels.value(QLatin1String("version")).toString() == QLatin1String("v1"))
            ++webserverV1;
    }
    QCOMPARE(webserverV1, 2);
    k8s::KubeReply *scale = send(k8s::KubeRequest::mergePatch(
            QStringLiteral("/apis/apps/v1/namespaces/default/deployments/tested-load"), R"({"spec":{"replicas":4}})"));
    QVERIFY(scale->ok());
    k8s::KubeRequest list = k8s::KubeRequest::get(QStringLiteral("/api/v1/namespaces/default/pods"));
    list.query.addQueryItem(QStringLiteral("labelSelector"), QStringLiteral("app=webserver,version=v1"));
    k8s::KubeReply *after = send(list);
    QCOMPARE(after->json().value(QLatin1String("items")).toArray().size(), 4);
}

void TestDemoCluster::pagination()
{
    QStringList names;
    QString cont;
    int pages = 0;
    do {
        k8s::KubeRequest r = k8s::KubeRequest::get(QStringLiteral("/api/v1/namespaces/default/pods"));
        r.query.addQueryItem(QStringLiteral("limit"), QStringLiteral("3"));
        if (!cont.isEmpty())
            r.query.addQueryItem(QStringLiteral("continue"), cont);
        k8s::KubeReply *page = send(r);
        QVERIFY(page->ok());
        QVERIFY(page->json().value(QLatin1String("items")).toArray().size() <= 3);
        for (const QJsonValue &i : page->json().value(QLatin1String("items")).toArray())
            names.append(core::objectName(i.toObject()));
        cont = page->json().value(QLatin1String("metadata")).toObject().value(QLatin1String("continue")).toString();
        ++pages;
    } while (!cont.isEmpty() && pages < 50);
    k8s::KubeReply *all = send(k8s::KubeRequest::get(QStringLiteral("/api/v1/namespaces/default/pods")));
    QCOMPARE(names.size(), all->json().value(QLatin1String("items")).toArray().size());
    QVERIFY(pages > 1);
}

void TestDemoCluster::watchSeesChangesByOthers()
{
    k8s::Reflector watch(m_client.get(), kVs);
    QSignalSpy listed(&watch, &k8s::Reflector::resynced);
    QSignalSpy events(&watch, &k8s::Reflector::applied);
    watch.start();
    QVERIFY(listed.wait(20000));
    QCOMPARE(watch.objects().size(), 5);
    QTRY_COMPARE_WITH_TIMEOUT(watch.state(), k8s::Reflector::State::Watching, 10000);
    // Another client changes an object.
    QVERIFY(!watch.object(QStringLiteral("default"), QStringLiteral("greeting"))
                     .isEmpty()); // so the event is a MODIFIED
    k8s::KubeClient other(m_cluster->endpoint());
    k8s::KubeReply *patch = other.send(k8s::KubeRequest::mergePatch(kVs + QStringLiteral("/greeting"),
                                                                    R"({"metadata":{"labels":{"edited":"yes"}}})"));
    QSignalSpy patched(patch, &k8s::KubeReply::finished);
    QVERIFY(patched.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 5000);
    QCOMPARE(watch.objects().size(), 5);
    QCOMPARE(core::objectName(events.at(0).at(0).value<QJsonObject>()), QStringLiteral("greeting"));
    QCOMPARE(watch.lastResourceVersion(), core::resourceVersion(patch->json()));
}

void TestDemoCluster::sessionBuildsReleases()
{
    core::ReleaseSession session(m_cluster->endpoint());
    QSignalSpy changed(&session, &core::ReleaseSession::releasesChanged);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.releases().size(), 5, 20000);
    QCOMPARE(session.istioVersion(), QStringLiteral("v1"));
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), core::ReleaseSession::Connection::Connected, 10000);
    const core::Release *greeting = session.release(QStringLiteral("greeting"));
    QVERIFY(greeting);
    QCOMPARE(greeting->versions.size(), 2);
    QCOMPARE(greeting->versions.at(0).pods, 2);
    QCOMPARE(greeting->versions.at(0).workloads, QStringList { QStringLiteral("greeting-safe") });
    QVERIFY(session.unroutedServices().contains(QStringLiteral("message")));
    // Refresh: discovery and permissions again, everything listed again, the same releases.
    QSignalSpy access(&session, &core::ReleaseSession::accessChanged);
    changed.clear();
    session.refresh();
    QVERIFY(access.wait(20000));
    QCOMPARE(session.writeAccess(), core::ReleaseSession::Access::Allowed);
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty() && session.releases().size() == 5, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), core::ReleaseSession::Connection::Connected, 10000);
}

void TestDemoCluster::sessionApplyStaleIsAConflict()
{
    core::ReleaseSession session(m_cluster->endpoint());
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(session.release(QStringLiteral("color-service")), 20000);
    const core::Release color = *session.release(QStringLiteral("color-service"));
    const auto edited = core::setRouteWeights(
            color, 0, { { QStringLiteral("blue-sub"), 10 }, { QStringLiteral("green-sub"), 90 } });
    QVERIFY(edited.ok());
    // Someone else changes the object after we read it.
    QJsonObject theirs = color.vs;
    QJsonObject meta = theirs.value(QLatin1String("metadata")).toObject();
    QJsonObject labels { { QStringLiteral("changed-by"), QStringLiteral("someone-else") } };
    meta.insert(QStringLiteral("labels"), labels);
    theirs.insert(QStringLiteral("metadata"), meta);
    QCOMPARE(m_cluster->put(kVs + QStringLiteral("/color-is-vs"), theirs), 200);
    QSignalSpy finished(&session, &core::ReleaseSession::applyFinished);
    session.apply(QStringLiteral("color-service"), *edited, QStringLiteral("test"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QVERIFY2(finished.at(0).at(2).toString().contains(QLatin1String("changed by someone else")),
             qPrintable(finished.at(0).at(2).toString()));
    // Their change stands; ours was not written.
    const QJsonObject live = m_cluster->get(kVs + QStringLiteral("/color-is-vs"));
    QCOMPARE(core::labelsOf(live).value(QLatin1String("changed-by")).toString(), QStringLiteral("someone-else"));
    QCOMPARE(test::routeWeights(live).value(QStringLiteral("green-sub")), 25);
}

static k8s::KubeReply *waitFor(k8s::KubeReply *reply)
{
    QSignalSpy spy(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        spy.wait(20000);
    return reply;
}

void TestDemoCluster::viewersReadButCannotWrite()
{
    k8s::KubeClient viewer(m_cluster->endpointWithToken(QLatin1String(test::TestCluster::kViewerToken)));
    k8s::KubeReply *list = waitFor(viewer.send(k8s::KubeRequest::get(kVs)));
    QVERIFY2(list->ok(), qPrintable(list->error().message));
    QCOMPARE(list->json().value(QLatin1String("items")).toArray().size(), 5);
    // Every kind of write, dry-run included, is refused with kube-apiserver's words.
    k8s::KubeRequest patch = k8s::KubeRequest::mergePatch(kVs + QStringLiteral("/greeting"),
                                                          R"({"metadata":{"labels":{"by":"viewer"}}})");
    patch.query.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("All"));
    k8s::KubeReply *refused = waitFor(viewer.send(patch));
    QCOMPARE(refused->httpStatus(), 403);
    QCOMPARE(refused->error().reason, QStringLiteral("Forbidden"));
    QVERIFY2(
            refused->error().message.contains(QLatin1String(
                    R"(virtualservices.networking.istio.io "greeting" is forbidden: User "viewer" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "default")")),
            qPrintable(refused->error().message));
    k8s::KubeReply *create = waitFor(viewer.send(
            k8s::KubeRequest::create(QStringLiteral("/api/v1/namespaces"), R"({"metadata":{"name":"nope"}})")));
    QCOMPARE(create->httpStatus(), 403);
    QVERIFY2(
            create->error().message.contains(QLatin1String(
                    R"(namespaces is forbidden: User "viewer" cannot create resource "namespaces" in API group "" at the cluster scope)")),
            qPrintable(create->error().message));
    // The editor may.
    k8s::KubeClient editor(m_cluster->endpointWithToken(QLatin1String(test::TestCluster::kEditorToken)));
    k8s::KubeReply *allowed = waitFor(editor.send(patch));
    QVERIFY2(allowed->ok(), qPrintable(allowed->error().message));
    // An unknown token is not anybody.
    k8s::KubeClient nobody(m_cluster->endpointWithToken(QStringLiteral("no-such-token")));
    QCOMPARE(waitFor(nobody.send(k8s::KubeRequest::get(kVs)))->httpStatus(), 401);
}

// A Deployment's autoscaling/v1 Scale, as kube-apiserver serves it; myapp-v3 ships at 0 replicas.
void TestDemoCluster::scaleSubresource()
{
    const QString deployment = QStringLiteral("/apis/apps/v1/namespaces/default/deployments/myapp-v3");
    const QString path = deployment + QStringLiteral("/scale");
    k8s::KubeReply *discovery = send(k8s::KubeRequest::get(QStringLiteral("/apis/apps/v1")));
    QVERIFY(discovery->ok());
    QJsonObject listed;
    for (const QJsonValue &r : discovery->json().value(QLatin1String("resources")).toArray()) {
        if (r.toObject().value(QLatin1String("name")).toString() == QLatin1String("deployments/scale"))
            listed = r.toObject();
    }
    QCOMPARE(listed.value(QLatin1String("group")).toString(), QStringLiteral("autoscaling"));
    QCOMPARE(listed.value(QLatin1String("version")).toString(), QStringLiteral("v1"));
    QCOMPARE(listed.value(QLatin1String("kind")).toString(), QStringLiteral("Scale"));

    k8s::KubeReply *get = send(k8s::KubeRequest::get(path));
    QVERIFY2(get->ok(), qPrintable(get->error().message));
    QJsonObject scale = get->json();
    QCOMPARE(scale.value(QLatin1String("apiVersion")).toString(), QStringLiteral("autoscaling/v1"));
    QCOMPARE(scale.value(QLatin1String("kind")).toString(), QStringLiteral("Scale"));
    QCOMPARE(scale.value(QLatin1String("spec")).toObject(),
             QJsonObject()); // replicas 0 is omitted, as autoscaling/v1 does
    QCOMPARE(scale.value(QLatin1String("status")).toObject(),
             (QJsonObject { { QStringLiteral("replicas"), 0 },
                            { QStringLiteral("selector"), QStringLiteral("app=myapp,version=v3") } }));
    const QString rv = core::resourceVersion(scale);
    QCOMPARE(rv, core::resourceVersion(send(k8s::KubeRequest::get(deployment))->json()));

    // PUT: the Scale's resourceVersion is a precondition on the Deployment.
    scale.insert(QStringLiteral("spec"), QJsonObject { { QStringLiteral("replicas"), 2 } });
    k8s::KubeReply *put = send(k8s::KubeRequest::replace(path, QJsonDocument(scale).toJson()));
    QVERIFY2(put->ok(), qPrintable(put->error().message));
    QCOMPARE(put->json().value(QLatin1String("spec")).toObject().value(QLatin1String("replicas")).toInt(), 2);
    k8s::KubeRequest pods = k8s::KubeRequest::get(QStringLiteral("/api/v1/namespaces/default/pods"));
    pods.query.addQueryItem(QStringLiteral("labelSelector"), QStringLiteral("app=myapp,version=v3"));
    QCOMPARE(send(pods)->json().value(QLatin1String("items")).toArray().size(), 2);
    k8s::KubeReply *stale = send(k8s::KubeRequest::replace(path, QJsonDocument(scale).toJson()));
    QCOMPARE(stale->httpStatus(), 409);
    QVERIFY2(stale->error().message.contains(QLatin1String(
                     R"(Operation cannot be fulfilled on deployments.apps "myapp-v3": the object has been modified)")),
             qPrintable(stale->error().message));

    k8s::KubeReply *negative = send(k8s::KubeRequest::mergePatch(path, R"({"spec":{"replicas":-1}})"));
    QCOMPARE(negative->httpStatus(), 422);
    QCOMPARE(negative->error().reason, QStringLiteral("Invalid"));
    k8s::KubeReply *notScale = send(k8s::KubeRequest::replace(path, R"({"kind":"Deployment","spec":{"replicas":1}})"));
    QCOMPARE(notScale->httpStatus(), 400);
    QCOMPARE(send(k8s::KubeRequest::remove(path))->httpStatus(), 405);
    QCOMPARE(send(k8s::KubeRequest::get(kVs + QStringLiteral("/myapp/scale")))->httpStatus(), 404);
    QCOMPARE(send(k8s::KubeRequest::get(
                          QStringLiteral("/apis/apps/v1/namespaces/default/deployments/no-such-app/scale")))
                     ->httpStatus(),
             404);

    k8s::KubeClient viewer(m_cluster->endpointWithToken(QLatin1String(test::TestCluster::kViewerToken)));
    k8s::KubeReply *refused = waitFor(viewer.send(k8s::KubeRequest::mergePatch(path, R"({"spec":{"replicas":1}})")));
    QCOMPARE(refused->httpStatus(), 403);
    QVERIFY2(
            refused->error().message.contains(QLatin1String(
                    R"(deployments.apps "myapp-v3" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default")")),
            qPrintable(refused->error().message));

    // Back to 0 by merge patch, with dryRun first: the seeds as they were for the tests after this one.
    k8s::KubeRequest dry = k8s::KubeRequest::mergePatch(path, R"({"spec":{"replicas":0}})");
    dry.query.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("All"));
    QVERIFY(send(dry)->ok());
    QCOMPARE(send(pods)->json().value(QLatin1String("items")).toArray().size(), 2);
    k8s::KubeReply *down = send(k8s::KubeRequest::mergePatch(path, R"({"spec":{"replicas":0}})"));
    QVERIFY2(down->ok(), qPrintable(down->error().message));
    QCOMPARE(send(pods)->json().value(QLatin1String("items")).toArray().size(), 0);
}

void TestDemoCluster::accessReviews_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("verb");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<bool>("allowed");
    const QString viewer = QLatin1String(test::TestCluster::kViewerToken);
    const QString editor = QLatin1String(test::TestCluster::kEditorToken);
    QTest::newRow("viewer get") << viewer << "get"
                                << "virtualservices" << true;
    QTest::newRow("viewer list") << viewer << "list"
                                 << "destinationrules" << true;
    QTest::newRow("viewer watch") << viewer << "watch"
                                  << "virtualservices" << true;
    QTest::newRow("viewer update") << viewer << "update"
                                   << "virtualservices" << false;
    QTest::newRow("viewer patch") << viewer << "patch"
                                  << "destinationrules" << false;
    QTest::newRow("viewer create") << viewer << "create"
                                   << "destinationrules" << false;
    QTest::newRow("viewer delete") << viewer << "delete"
                                   << "virtualservices" << false;
    QTest::newRow("viewer any") << viewer << "*"
                                << "virtualservices" << false;
    QTest::newRow("editor update") << editor << "update"
                                   << "virtualservices" << true;
    QTest::newRow("editor create") << editor << "create"
                                   << "destinationrules" << true;
    QTest::newRow("admin delete") << QString() << "delete"
                                  << "virtualservices" << true;
}

void TestDemoCluster::accessReviews()
{
    QFETCH(QString, token);
    QFETCH(QString, verb);
    QFETCH(QString, resource);
    QFETCH(bool, allowed);
    k8s::KubeClient client(token.isEmpty() ? m_cluster->endpoint() : m_cluster->endpointWithToken(token));
    const QJsonObject review {
        { QStringLiteral("apiVersion"), QStringLiteral("authorization.k8s.io/v1") },
        { QStringLiteral("kind"), QStringLiteral("SelfSubjectAccessReview") },
        { QStringLiteral("spec"),
          QJsonObject { { QStringLiteral("resourceAttributes"),
                          QJsonObject { { QStringLiteral("namespace"), QStringLiteral("default") },
                                        { QStringLiteral("verb"), verb },
                                        { QStringLiteral("group"), QStringLiteral("networking.istio.io") },
                                        { QStringLiteral("resource"), resource } } } } }
    };
    k8s::KubeReply *reply = waitFor(client.send(k8s::KubeRequest::create(
            QStringLiteral("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), QJsonDocument(review).toJson())));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->httpStatus(), 201);
    const QJsonObject status = reply->json().value(QLatin1String("status")).toObject();
    QCOMPARE(status.value(QLatin1String("allowed")).toBool(), allowed);
    QCOMPARE(reply->json().value(QLatin1String("spec")).toObject(), review.value(QLatin1String("spec")).toObject());
    if (!allowed)
        QVERIFY(status.value(QLatin1String("reason")).toString().contains(QLatin1String("canarydeck:viewers")));
}

void TestDemoCluster::clientCertificates_data()
{
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<bool>("trustedCa");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("groups");
    QTest::newRow("EC, two groups") << false << true << "alice"
                                    << QStringList { QStringLiteral("canarydeck:viewers"), QStringLiteral("dev") };
    QTest::newRow("RSA, no group") << true << true << "bob" << QStringList {};
    QTest::newRow("EC, another CA") << false << false << "mallory" << QStringList { QStringLiteral("system:masters") };
    QTest::newRow("RSA, another CA") << true << false << "mallory" << QStringList {};
}

void TestDemoCluster::clientCertificates()
{
    QFETCH(bool, rsa);
    QFETCH(bool, trustedCa);
    QFETCH(QString, user);
    QFETCH(QStringList, groups);
    const QByteArray keyPem = demo::generatePrivateKeyPem(rsa ? demo::KeyType::Rsa2048 : demo::KeyType::EcP256);
    QVERIFY(!keyPem.isEmpty());
    const auto otherCa = demo::generateServingCertificates();
    QVERIFY(otherCa.ok());
    const auto certPem
            = demo::signClientCertificate(trustedCa ? m_cluster->clientCa() : *otherCa, keyPem, user, groups);
    QVERIFY2(certPem.ok(), certPem.ok() ? "" : qPrintable(certPem.error().message));
    k8s::ClusterEndpoint ep = m_cluster->endpoint();
    ep.token.clear();
    ep.clientCertificate = QSslCertificate(*certPem);
    ep.clientKey = QSslKey(keyPem, rsa ? QSsl::Rsa : QSsl::Ec);
    QVERIFY(!ep.clientCertificate.isNull() && !ep.clientKey.isNull());
    k8s::KubeClient client(ep);
    k8s::KubeReply *reply = waitFor(client.send(
            k8s::KubeRequest::create(QStringLiteral("/apis/authentication.k8s.io/v1/selfsubjectreviews"),
                                     R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})")));
    if (!trustedCa) {
        QCOMPARE(reply->httpStatus(), 401);
        return;
    }
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    const QJsonObject info
            = reply->json().value(QLatin1String("status")).toObject().value(QLatin1String("userInfo")).toObject();
    QCOMPARE(info.value(QLatin1String("username")).toString(), user);
    QCOMPARE(info.value(QLatin1String("groups")).toVariant().toStringList(),
             groups + QStringList { QStringLiteral("system:authenticated") });
}

void TestDemoCluster::sessionAsksBeforeOfferingWrites_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("access");
    QTest::newRow("viewer") << QString::fromLatin1(test::TestCluster::kViewerToken)
                            << int(core::ReleaseSession::Access::Denied);
    QTest::newRow("editor") << QString::fromLatin1(test::TestCluster::kEditorToken)
                            << int(core::ReleaseSession::Access::Allowed);
}

void TestDemoCluster::sessionAsksBeforeOfferingWrites()
{
    QFETCH(QString, token);
    QFETCH(int, access);
    core::ReleaseSession session(m_cluster->endpointWithToken(token));
    QSignalSpy changed(&session, &core::ReleaseSession::accessChanged);
    session.start();
    QVERIFY(changed.wait(20000));
    QCOMPARE(int(session.writeAccess()), access);
    if (session.writeAccess() == core::ReleaseSession::Access::Denied) {
        const QString detail = session.writeAccessDetail();
        QVERIFY2(detail.contains(QLatin1String("update virtualservices.networking.istio.io")), qPrintable(detail));
        QVERIFY2(detail.contains(QLatin1String("namespace \"default\"")), qPrintable(detail));
        QVERIFY2(!detail.contains(token), "the token leaked into the message");
    } else {
        QVERIFY(session.writeAccessDetail().isEmpty());
    }
}

void TestDemoCluster::fieldValidation_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message"); // in the error, or in a Warning
    const QByteArray good
            = R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"NAME"},"spec":{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}}]}]}})";
    QByteArray unknown = good;
    unknown.replace(R"("hosts":["a"],)", R"("hosts":["a"],"htp":[],)");
    QByteArray duplicate = good;
    duplicate.replace(R"("hosts":["a"],)", R"("hosts":["a"],"hosts":["b"],)");
    QByteArray badType = good;
    badType.replace(R"({"host":"a"})", R"({"host":"a"},"weight":"fifty")");
    QByteArray missing = good;
    missing.replace(R"({"destination":{"host":"a"}})", R"({"weight":100})");
    QTest::newRow("valid, Strict") << "Strict" << good << 201 << QString();
    QTest::newRow("unknown, Strict") << "Strict" << unknown << 400
                                     << R"(strict decoding error: unknown field "spec.htp")";
    QTest::newRow("duplicate, Strict") << "Strict" << duplicate << 400
                                       << R"(strict decoding error: duplicate field "spec.hosts")";
    QTest::newRow("unknown, Warn") << "Warn" << unknown << 201 << R"(unknown field "spec.htp")";
    QTest::newRow("unknown, default is Warn") << "" << unknown << 201 << R"(unknown field "spec.htp")";
    QTest::newRow("unknown, Ignore") << "Ignore" << unknown << 201 << QString();
    QTest::newRow("wrong type") << "Ignore" << badType << 422 << "spec.http[0].route[0].weight";
    QTest::newRow("required field") << "Strict" << missing << 422
                                    << "spec.http[0].route[0].destination: Required value";
    QTest::newRow("bad mode") << "Loose" << good << 400
                              << R"(fieldValidation must be one of "Ignore", "Warn" or "Strict")";
}

void TestDemoCluster::fieldValidation()
{
    QFETCH(QString, mode);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    const QString name = QStringLiteral("fv-%1")
                                 .arg(QString::fromLatin1(QTest::currentDataTag()))
                                 .toLower()
                                 .remove(QLatin1Char(','))
                                 .replace(QLatin1Char(' '), QLatin1Char('-'));
    body.replace("NAME", name.toUtf8());
    k8s::KubeRequest create = k8s::KubeRequest::create(kVs, body);
    if (!mode.isEmpty())
        create.query.addQueryItem(QStringLiteral("fieldValidation"), mode);
    k8s::KubeReply *reply = send(create);
    QCOMPARE(reply->httpStatus(), status);
    if (status >= 400) {
        QVERIFY2(reply->error().message.contains(message), qPrintable(reply->error().message));
        if (status == 422) {
            QCOMPARE(reply->error().reason, QStringLiteral("Invalid"));
            QVERIFY2(!reply->error().causes.isEmpty() && reply->error().causes.constFirst().contains(message),
                     qPrintable(reply->error().causes.join(QLatin1Char('|'))));
        }
        QCOMPARE(m_cluster->get(kVs + QLatin1Char('/') + name).value(QLatin1String("kind")).toString(),
                 QStringLiteral("Status")); // not stored
        return;
    }
    QCOMPARE(reply->warnings().join(QLatin1Char('|')), message);
    // Stored without the unknown field: the schema prunes it.
    const QJsonObject spec = m_cluster->get(kVs + QLatin1Char('/') + name).value(QLatin1String("spec")).toObject();
    QVERIFY(spec.contains(QLatin1String("http")));
    QVERIFY(!spec.contains(QLatin1String("htp")));
    send(k8s::KubeRequest::remove(kVs + QLatin1Char('/') + name));
}

void TestDemoCluster::serverSideApply()
{
    const QString path = kVs + QStringLiteral("/ssa-demo");
    const auto intent = [](int weight, bool label) {
        QJsonObject meta { { QStringLiteral("name"), QStringLiteral("ssa-demo") } };
        if (label)
            meta.insert(QStringLiteral("labels"), QJsonObject { { QStringLiteral("team"), QStringLiteral("web") } });
        return QJsonDocument(
                       QJsonObject {
                               { QStringLiteral("apiVersion"), QStringLiteral("networking.istio.io/v1") },
                               { QStringLiteral("kind"), QStringLiteral("VirtualService") },
                               { QStringLiteral("metadata"), meta },
                               { QStringLiteral("spec"),
                                 QJsonObject {
                                         { QStringLiteral("hosts"), QJsonArray { QStringLiteral("ssa") } },
                                         { QStringLiteral("http"),
                                           QJsonArray { QJsonObject {
                                                   { QStringLiteral("route"),
                                                     QJsonArray {
                                                             QJsonObject { { QStringLiteral("destination"),
                                                                             QJsonObject { { QStringLiteral("host"),
                                                                                             QStringLiteral("ssa") },
                                                                                           { QStringLiteral("subset"),
                                                                                             QStringLiteral("v1") } } },
                                                                           { QStringLiteral("weight"), weight } },
                                                             QJsonObject { { QStringLiteral("destination"),
                                                                             QJsonObject { { QStringLiteral("host"),
                                                                                             QStringLiteral("ssa") },
                                                                                           { QStringLiteral("subset"),
                                                                                             QStringLiteral("v2") } } },
                                                                           { QStringLiteral("weight"),
                                                                             100 - weight } } } } } } } } },
                       })
                .toJson(QJsonDocument::Compact);
    };
    // Created by "flagger"'s apply.
    k8s::KubeReply *created = send(k8s::KubeRequest::apply(path, intent(90, true), QStringLiteral("flagger")));
    QVERIFY2(created->ok(), qPrintable(created->error().message));
    // The same values from another manager: shared, no conflict.
    QVERIFY(send(k8s::KubeRequest::apply(path, intent(90, false), QStringLiteral("canarydeck")))->ok());
    // Other values: 409 naming the manager and the field; nothing written.
    k8s::KubeReply *conflict = send(k8s::KubeRequest::apply(path, intent(50, false), QStringLiteral("canarydeck")));
    QCOMPARE(conflict->httpStatus(), 409);
    QVERIFY2(
            conflict->error().message.contains(QLatin1String(
                    R"(Apply failed with 1 conflict: conflict with "flagger" using networking.istio.io/v1: .spec.http)")),
            qPrintable(conflict->error().message));
    QCOMPARE(conflict->error().causes,
             QStringList { QStringLiteral(R"(.spec.http: conflict with "flagger" using networking.istio.io/v1)") });
    QCOMPARE(test::routeWeights(m_cluster->get(path)).value(QStringLiteral("v1")), 90);
    // A server-side dry-run of a forced apply changes nothing either.
    k8s::KubeRequest dry = k8s::KubeRequest::apply(path, intent(50, false), QStringLiteral("canarydeck"), true);
    dry.query.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("All"));
    QVERIFY(send(dry)->ok());
    QCOMPARE(test::routeWeights(m_cluster->get(path)).value(QStringLiteral("v1")), 90);
    // Forced: the field moves to canarydeck.
    QVERIFY(send(k8s::KubeRequest::apply(path, intent(50, false), QStringLiteral("canarydeck"), true))->ok());
    QCOMPARE(test::routeWeights(m_cluster->get(path)).value(QStringLiteral("v1")), 50);
    // flagger stops applying its label: the label goes, since nobody else holds it.
    QVERIFY2(m_cluster->get(path)
                     .value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("labels"))
                     .toObject()
                     .contains(QLatin1String("team")),
             "label missing");
    k8s::KubeReply *relinquish = send(k8s::KubeRequest::apply(path, intent(50, false), QStringLiteral("flagger")));
    QVERIFY2(relinquish->ok(), qPrintable(relinquish->error().message));
    QVERIFY(!m_cluster->get(path).value(QLatin1String("metadata")).toObject().contains(QLatin1String("labels")));
    // An apply without fieldManager is refused, as kube-apiserver refuses it.
    k8s::KubeRequest anonymous = k8s::KubeRequest::apply(path, intent(50, false), QString());
    anonymous.query.removeAllQueryItems(QStringLiteral("fieldManager"));
    QCOMPARE(send(anonymous)->httpStatus(), 400);
}

void TestDemoCluster::throttledRequestsAreRetried()
{
    // Two 429s with Retry-After: 1, then the answer: the caller sees only the answer.
    QVERIFY(m_cluster->setFaults(QStringLiteral("429=2")));
    QElapsedTimer clock;
    clock.start();
    k8s::KubeReply *reply = send(k8s::KubeRequest::get(kVs + QStringLiteral("/greeting")));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->retries(), 2);
    QCOMPARE(core::objectName(reply->json()), QStringLiteral("greeting"));
    QVERIFY2(clock.elapsed() >= 1900, "Retry-After was not honoured");
    // Writes are retried on 429 too: the server did not act on them.
    QVERIFY(m_cluster->setFaults(QStringLiteral("429=1")));
    k8s::KubeReply *patch = send(k8s::KubeRequest::mergePatch(kVs + QStringLiteral("/greeting"),
                                                              R"({"metadata":{"annotations":{"throttled":"once"}}})"));
    QVERIFY2(patch->ok(), qPrintable(patch->error().message));
    QCOMPARE(patch->retries(), 1);
    // More refusals than the client's patience: the 429 reaches the caller, decoded.
    QVERIFY(m_cluster->setFaults(QStringLiteral("429=50")));
    m_client->setRequestTimeout(2500);
    k8s::KubeReply *refused = send(k8s::KubeRequest::get(kVs + QStringLiteral("/greeting")));
    m_client->setRequestTimeout(0);
    QVERIFY(m_cluster->setFaults(QStringLiteral("429=0")));
    QVERIFY(!refused->ok());
    QVERIFY2(refused->error().message.contains(QLatin1String("did not answer within 2.5 s")),
             qPrintable(refused->error().message));
}

void TestDemoCluster::serverErrorsAreRetriedForReadsOnly()
{
    QVERIFY(m_cluster->setFaults(QStringLiteral("500=2")));
    k8s::KubeReply *reply = send(k8s::KubeRequest::get(kVs + QStringLiteral("/greeting")));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->retries(), 2);
    // A write that failed with 500 may have been carried out: it is reported, not repeated.
    QVERIFY(m_cluster->setFaults(QStringLiteral("500=1")));
    k8s::KubeReply *patch = send(k8s::KubeRequest::mergePatch(kVs + QStringLiteral("/greeting"),
                                                              R"({"metadata":{"annotations":{"failed":"once"}}})"));
    QVERIFY(!patch->ok());
    QCOMPARE(patch->httpStatus(), 500);
    QCOMPARE(patch->retries(), 0);
    QVERIFY2(patch->error().message.contains(QLatin1String("injected by --fault")), qPrintable(patch->error().message));
    QVERIFY(m_cluster->setFaults(QStringLiteral("500=0")));
}

void TestDemoCluster::watchSurvivesDroppedStreams()
{
    // The app's model: what the watch delivered, by name. It must end equal to the server's list,
    // with no event delivered twice, while every stream is cut after 400 ms.
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/faults/destinationrules");
    k8s::Reflector watch(m_client.get(), path);
    QMap<QString, QString> model;
    QSet<QString> seen;
    int doubled = 0;
    int relists = 0;
    int reconnects = 0;
    connect(&watch, &k8s::Reflector::resynced, this, [&] {
        ++relists;
        model.clear();
        for (const QJsonObject &o : watch.objects())
            model.insert(core::objectName(o), core::resourceVersion(o));
    });
    const auto event = [&](const QString &type, const QJsonObject &o) {
        const QString rv = core::resourceVersion(o);
        if (seen.contains(type + rv))
            ++doubled;
        seen.insert(type + rv);
        if (type == QLatin1String("DELETED"))
            model.remove(core::objectName(o));
        else
            model.insert(core::objectName(o), rv);
    };
    connect(&watch, &k8s::Reflector::applied, this, [&](const QJsonObject &o) { event(QStringLiteral("APPLIED"), o); });
    connect(&watch, &k8s::Reflector::deleted, this, [&](const QJsonObject &o) { event(QStringLiteral("DELETED"), o); });
    connect(&watch, &k8s::Reflector::stateChanged, this, [&](k8s::Reflector::State state) {
        if (state == k8s::Reflector::State::Backoff)
            ++reconnects;
    });
    QVERIFY(m_cluster->setFaults(QStringLiteral("drop-watch=400,410=2")));
    watch.start();
    QTRY_COMPARE_WITH_TIMEOUT(watch.state(), k8s::Reflector::State::Watching, 10000);

    // 500 events written by another client: 50 creations, 430 changes, 20 deletions.
    k8s::KubeClient other(m_cluster->endpoint());
    int writes = 0;
    const auto write = [&](const k8s::KubeRequest &request) {
        k8s::KubeReply *reply = other.send(request);
        QSignalSpy done(reply, &k8s::KubeReply::finished);
        if (!reply->isFinished())
            done.wait(20000);
        const bool ok = reply->ok();
        if (!ok)
            qWarning("%s", qPrintable(reply->error().message));
        reply->deleteLater();
        // Spread the writes over a few seconds, so that streams are cut while events flow.
        if (++writes % 25 == 0)
            QTest::qWait(150);
        return ok;
    };
    QVERIFY(write(k8s::KubeRequest::create(QStringLiteral("/api/v1/namespaces"),
                                           R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"faults"}})")));
    for (int i = 0; i < 50; ++i) {
        const QJsonObject dr {
            { QStringLiteral("apiVersion"), QStringLiteral("networking.istio.io/v1") },
            { QStringLiteral("kind"), QStringLiteral("DestinationRule") },
            { QStringLiteral("metadata"), QJsonObject { { QStringLiteral("name"), QStringLiteral("dr-%1").arg(i) } } },
            { QStringLiteral("spec"), QJsonObject { { QStringLiteral("host"), QStringLiteral("svc-%1").arg(i) } } },
        };
        QVERIFY(write(k8s::KubeRequest::create(path, QJsonDocument(dr).toJson(QJsonDocument::Compact))));
    }
    for (int i = 0; i < 430; ++i) {
        const QByteArray patch = QStringLiteral(R"({"metadata":{"labels":{"step":"%1"}}})").arg(i).toUtf8();
        QVERIFY(write(k8s::KubeRequest::mergePatch(path + QStringLiteral("/dr-%1").arg(i % 50), patch)));
    }
    for (int i = 0; i < 20; ++i)
        QVERIFY(write(k8s::KubeRequest::remove(path + QStringLiteral("/dr-%1").arg(i * 2))));

    const QJsonArray items = m_cluster->get(path).value(QLatin1String("items")).toArray();
    QCOMPARE(items.size(), 30);
    QMap<QString, QString> server;
    for (const QJsonValue &item : items)
        server.insert(core::objectName(item.toObject()), core::resourceVersion(item.toObject()));
    QTRY_COMPARE_WITH_TIMEOUT(model, server, 20000);
    QVERIFY(m_cluster->setFaults(QStringLiteral("drop-watch=0,410=0")));
    QCOMPARE(doubled, 0);
    QCOMPARE(relists, 3); // the first list, and one for each 410
    QVERIFY2(reconnects >= 3, qPrintable(QStringLiteral("only %1 reconnects: the fault did not bite").arg(reconnects)));
    qInfo("%d reconnects, %d lists, %lld distinct events", reconnects, relists, qint64(seen.size()));
}

void TestDemoCluster::expiredContinueRestartsTheList()
{
    // 520 objects: the watch lists them in two pages of at most 500; the continue token has expired
    // (410), so the list starts over and still delivers every object once.
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/big/destinationrules");
    QVERIFY(send(k8s::KubeRequest::create(QStringLiteral("/api/v1/namespaces"), R"({"metadata":{"name":"big"}})"))
                    ->ok());
    for (int i = 0; i < 520; ++i) {
        const QByteArray dr
                = QStringLiteral(
                          R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"dr-%1"},"spec":{"host":"h%1"}})")
                          .arg(i)
                          .toUtf8();
        k8s::KubeReply *reply = send(k8s::KubeRequest::create(path, dr));
        QVERIFY(reply->ok());
        reply->deleteLater();
    }
    QVERIFY(m_cluster->setFaults(QStringLiteral("410=1")));
    k8s::Reflector watch(m_client.get(), path);
    QSignalSpy listed(&watch, &k8s::Reflector::resynced);
    QSignalSpy applied(&watch, &k8s::Reflector::applied);
    QStringList why;
    connect(&watch, &k8s::Reflector::stateChanged, this,
            [&](k8s::Reflector::State, const QString &detail) { why.append(detail); });
    watch.start();
    QVERIFY(listed.wait(20000));
    QCOMPARE(listed.size(), 1);
    QCOMPARE(applied.size(), 0);
    const QList<QJsonObject> items = watch.objects();
    QCOMPARE(items.size(), 520);
    QSet<QString> names;
    for (const QJsonObject &o : items)
        names.insert(core::objectName(o));
    QCOMPARE(names.size(), 520);
    QVERIFY2(why.join(QLatin1Char('|')).contains(QLatin1String("continue parameter is too old")),
             qPrintable(why.join(QLatin1Char('|'))));
    QVERIFY(m_cluster->setFaults(QStringLiteral("410=0")));
}

void TestDemoCluster::requestsRecoverFromAHungProxy()
{
    // A proxy that accepts connections and closes them at once (a load balancer without a backend)
    // leaves Qt's requests hanging until their timeout, and after a few of them the connection pool
    // for good; the client then takes a new pool, so that the requests after the outage get through.
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setRefuseWhenDown(false);
    k8s::ClusterEndpoint endpoint = m_cluster->endpoint();
    endpoint.proxyUrl = proxy.url();
    k8s::KubeClient client(endpoint);
    const auto version = [&client](int timeoutMs) {
        k8s::KubeRequest request = k8s::KubeRequest::get(QStringLiteral("/version"));
        request.timeoutMs = timeoutMs;
        k8s::KubeReply *reply = client.send(request);
        QSignalSpy done(reply, &k8s::KubeReply::finished);
        if (!reply->isFinished())
            done.wait(timeoutMs + 5000);
        return reply;
    };
    QVERIFY(version(5000)->ok());
    proxy.setDown(true);
    for (int i = 0; i < 3; ++i) {
        k8s::KubeReply *hung = version(1000);
        QVERIFY(!hung->ok());
        QVERIFY(hung->timedOut());
    }
    proxy.setDown(false);
    k8s::KubeReply *after = version(5000);
    QVERIFY2(after->ok(), qPrintable(after->error().message));
}

QTEST_GUILESS_MAIN(TestDemoCluster)
#include "tst_democluster.moc"
