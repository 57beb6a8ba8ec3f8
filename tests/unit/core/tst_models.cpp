#include "core/edit/editsession.h"
#include "core/models/historymodel.h"
#include "core/models/releasefiltermodel.h"
#include "core/models/releaselistmodel.h"
#include "core/models/routelistmodel.h"
#include "core/session/releasesession.h"
#include "tests/support/testcluster.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

// The item models the window's views show, checked by Qt's own model tester against the demo cluster.
class TestModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void naturalOrder_data();
    void naturalOrder();
    void releaseListFollowsTheCluster();
    void filterAndNaturalSort();
    void routesOfTheDraft();
    void historyIsScopedToTheCluster();

private:
    QModelIndex rowNamed(const QAbstractItemModel *model, const QString &name) const;
    std::unique_ptr<test::TestCluster> m_cluster;
    QTemporaryDir m_journal;
};

void TestModels::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(0);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
}

QModelIndex TestModels::rowNamed(const QAbstractItemModel *model, const QString &name) const
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, core::ReleaseListModel::NameColumn).data().toString() == name)
            return model->index(row, 0);
    }
    return {};
}

void TestModels::naturalOrder_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("less");
    QTest::newRow("2 before 10") << "bulk-2"
                                 << "bulk-10" << true;
    QTest::newRow("10 after 2") << "bulk-10"
                                << "bulk-2" << false;
    QTest::newRow("9 before 10 inside") << "v9-canary"
                                        << "v10-canary" << true;
    QTest::newRow("case does not rule") << "alpha"
                                        << "Beta" << true;
    QTest::newRow("prefix first") << "web"
                                  << "web-v1" << true;
    QTest::newRow("equal") << "same"
                           << "same" << false;
    QTest::newRow("leading zeros") << "v1"
                                   << "v01" << true;
    QTest::newRow("long numbers") << "n99999999999999999999"
                                  << "n100000000000000000000" << true;
}

void TestModels::naturalOrder()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, less);
    QCOMPARE(core::naturalLess(a, b), less);
}

void TestModels::releaseListFollowsTheCluster()
{
    core::ReleaseSession session(m_cluster->endpoint(), nullptr, m_journal.path());
    core::ReleaseListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSession(&session);
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(&model, QStringLiteral("greeting")).isValid(), 20000);
    const int greeting = rowNamed(&model, QStringLiteral("greeting")).row();
    QCOMPARE(model.index(greeting, core::ReleaseListModel::VersionsColumn).data().toString(),
             QStringLiteral("safe (2), risky (1)"));
    QCOMPARE(model.index(greeting, core::ReleaseListModel::RoutingColumn).data().toString(), QStringLiteral("80/20"));
    QCOMPARE(model.index(greeting, core::ReleaseListModel::MatchRoutesColumn).data().toInt(), 0);
    QVERIFY(rowNamed(&model, QStringLiteral("message")).data(core::ReleaseListModel::UnroutedRole).toBool());
    // A match route added elsewhere: the row changes in place, nothing is reset.
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting");
    QJsonObject vs = m_cluster->get(path);
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    QJsonArray http = spec.value(QLatin1String("http")).toArray();
    QJsonObject dark = http.at(0).toObject();
    dark.insert(
            QStringLiteral("match"),
            QJsonArray { QJsonObject {
                    { QStringLiteral("headers"),
                      QJsonObject { { QStringLiteral("x-my-header"),
                                      QJsonObject { { QStringLiteral("exact"), QStringLiteral("dark") } } } } } } });
    http.prepend(dark);
    spec.insert(QStringLiteral("http"), http);
    vs.insert(QStringLiteral("spec"), spec);
    QCOMPARE(m_cluster->put(path, vs), 200);
    QTRY_COMPARE_WITH_TIMEOUT(model.index(greeting, core::ReleaseListModel::MatchRoutesColumn).data().toInt(), 1, 5000);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(reset.size(), 0);
    // A Service appears and goes: a row is inserted and removed.
    const QJsonObject svc {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Service") },
        { QStringLiteral("metadata"), QJsonObject { { QStringLiteral("name"), QStringLiteral("newcomer") } } },
        { QStringLiteral("spec"),
          QJsonObject { { QStringLiteral("ports"), QJsonArray { QJsonObject { { QStringLiteral("port"), 80 } } } } } }
    };
    QCOMPARE(m_cluster->create(QStringLiteral("/api/v1/namespaces/default/services"), svc), 201);
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(&model, QStringLiteral("newcomer")).isValid(), 5000);
    QCOMPARE(m_cluster->remove(QStringLiteral("/api/v1/namespaces/default/services/newcomer")), 200);
    QTRY_VERIFY_WITH_TIMEOUT(!rowNamed(&model, QStringLiteral("newcomer")).isValid(), 5000);
    QCOMPARE(reset.size(), 0);
    spec.insert(QStringLiteral("http"), QJsonArray { http.at(1) });
    vs = m_cluster->get(path);
    vs.insert(QStringLiteral("spec"), spec);
    QCOMPARE(m_cluster->put(path, vs), 200);
}

void TestModels::filterAndNaturalSort()
{
    for (int i : { 10, 2, 1, 11 }) {
        const QJsonObject svc { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                                { QStringLiteral("kind"), QStringLiteral("Service") },
                                { QStringLiteral("metadata"),
                                  QJsonObject { { QStringLiteral("name"), QStringLiteral("bulk-%1").arg(i) } } },
                                { QStringLiteral("spec"),
                                  QJsonObject { { QStringLiteral("ports"),
                                                  QJsonArray { QJsonObject { { QStringLiteral("port"), 80 } } } } } } };
        QCOMPARE(m_cluster->create(QStringLiteral("/api/v1/namespaces/default/services"), svc), 201);
    }
    core::ReleaseSession session(m_cluster->endpoint(), nullptr, m_journal.path());
    core::ReleaseListModel model;
    core::ReleaseFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(core::ReleaseListModel::NameColumn);
    model.setSession(&session);
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(&model, QStringLiteral("bulk-11")).isValid(), 20000);
    QStringList names;
    for (int row = 0; row < proxy.rowCount(); ++row)
        names.append(proxy.index(row, 0).data().toString());
    // Releases first, as people sort; then the Services no VirtualService routes to.
    QCOMPARE(names,
             (QStringList { QStringLiteral("color-service"), QStringLiteral("greeting"), QStringLiteral("myapp"),
                            QStringLiteral("web-virtualservice"), QStringLiteral("webserver"), QStringLiteral("bulk-1"),
                            QStringLiteral("bulk-2"), QStringLiteral("bulk-10"), QStringLiteral("bulk-11"),
                            QStringLiteral("message") }));
    proxy.setFilterText(QStringLiteral("BULK-1"));
    QCOMPARE(proxy.rowCount(), 3); // bulk-1, bulk-10, bulk-11
    proxy.setFilterText(QStringLiteral("risky"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("greeting")); // by its versions
    proxy.setPinned(QStringLiteral("myapp"));
    QCOMPARE(proxy.rowCount(), 2); // the selected release stays in view
    for (int i : { 10, 2, 1, 11 })
        QCOMPARE(m_cluster->remove(QStringLiteral("/api/v1/namespaces/default/services/bulk-%1").arg(i)), 200);
}

void TestModels::routesOfTheDraft()
{
    core::ReleaseSession session(m_cluster->endpoint(), nullptr, m_journal.path());
    core::EditSession edits(&session);
    core::RouteListModel all(core::RouteListModel::Scope::AllRoutes);
    core::RouteListModel matches(core::RouteListModel::Scope::MatchRoutes);
    QAbstractItemModelTester t1(&all, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&matches, QAbstractItemModelTester::FailureReportingMode::QtTest);
    all.setEditSession(&edits);
    matches.setEditSession(&edits);
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(session.release(QStringLiteral("color-service")), 20000);
    edits.setRelease(QStringLiteral("color-service"));
    QCOMPARE(all.rowCount(), 1);
    QCOMPARE(all.index(0, core::RouteListModel::WhenColumn).data().toString(),
             QStringLiteral("path starts with /color"));
    QCOMPARE(all.index(0, core::RouteListModel::LabelColumn).data().toString(),
             QStringLiteral("#0 when path starts with /color"));
    QCOMPARE(matches.rowCount(), 0); // its only route is the default route
    edits.setWeight(1, 40);
    QCOMPARE(all.index(0, core::RouteListModel::GoesToColumn).data().toString(),
             QStringLiteral("blue-sub 60%, green-sub 40%"));
    QVERIFY(edits.addMatchRoute(QStringLiteral("green-sub"),
                                { { core::MatchCondition::Field::Header, core::MatchCondition::Kind::Prefix,
                                    QStringLiteral("x-user"), QStringLiteral("qa-") } }));
    QCOMPARE(all.rowCount(), 2);
    QCOMPARE(matches.rowCount(), 1);
    QCOMPARE(matches.index(0, core::RouteListModel::WhenColumn).data().toString(),
             QStringLiteral("x-user starts with qa-"));
    QCOMPARE(matches.index(0, core::RouteListModel::GoesToColumn).data().toString(), QStringLiteral("green-sub"));
    edits.discard();
    QCOMPARE(matches.rowCount(), 0);
}

void TestModels::historyIsScopedToTheCluster()
{
    core::HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto entry = [](const char *id, const char *server, const char *context, const char *rollbackOf = "") {
        core::JournalEntry e;
        e.id = QLatin1String(id);
        e.time = QDateTime::currentDateTimeUtc();
        e.server = QLatin1String(server);
        e.context = QLatin1String(context);
        e.summary = QStringLiteral("change %1").arg(QLatin1String(id));
        e.rollbackOf = QLatin1String(rollbackOf);
        return e;
    };
    const QList<core::JournalEntry> entries { entry("a", "https://127.0.0.1:6443", "old-demo"),
                                              entry("b", "https://127.0.0.1:7443", "demo"),
                                              entry("c", "https://127.0.0.1:7443", "demo"),
                                              entry("d", "https://127.0.0.1:7443", "demo", "c") };
    model.setEntries(entries, QStringLiteral("https://127.0.0.1:7443"), QStringLiteral("demo"));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, core::HistoryModel::ChangeColumn).data().toString(),
             QStringLiteral("change d")); // newest first
    QCOMPARE(model.index(0, core::HistoryModel::StateColumn).data().toString(), QStringLiteral("rollback"));
    QCOMPARE(model.index(1, core::HistoryModel::StateColumn).data().toString(), QStringLiteral("rolled back"));
    QCOMPARE(model.index(2, core::HistoryModel::StateColumn).data().toString(), QStringLiteral("applied"));
    QVERIFY(model.index(2, 0).data(core::HistoryModel::CanRollBackRole).toBool());
    QVERIFY(!model.index(1, 0).data(core::HistoryModel::CanRollBackRole).toBool());
    model.setShowAllClusters(true); // without a session the entries are given again
    model.setEntries(entries, QStringLiteral("https://127.0.0.1:7443"), QStringLiteral("demo"));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(3, core::HistoryModel::ClusterColumn).data().toString(),
             QStringLiteral("old-demo (https://127.0.0.1:6443)"));
    QVERIFY(!model.index(3, 0).data(core::HistoryModel::CanRollBackRole).toBool()); // not from here
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
