#include "k8s/kuberequest.h"
#include "k8s/writeoptions.h"

#include <QtTest>

using namespace canary;

using Items = QList<QPair<QString, QString>>;
Q_DECLARE_METATYPE(k8s::WriteOptions)

class TestWriteOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void queryItems_data();
    void queryItems();
    void requests_data();
    void requests();
};

void TestWriteOptions::queryItems_data()
{
    QTest::addColumn<k8s::WriteOptions>("options");
    QTest::addColumn<bool>("serverSideApply");
    QTest::addColumn<Items>("expected");

    const k8s::WriteOptions defaults;
    QTest::newRow("defaults") << defaults << false
                              << Items { { "fieldManager", "canarydeck" }, { "fieldValidation", "Strict" } };
    QTest::newRow("defaults, apply") << defaults << true
                                     << Items { { "fieldManager", "canarydeck" },
                                                { "force", "false" },
                                                { "fieldValidation", "Strict" } };
    k8s::WriteOptions dry;
    dry.dryRun = true;
    QTest::newRow("dry run") << dry << false
                             << Items { { "fieldManager", "canarydeck" },
                                        { "fieldValidation", "Strict" },
                                        { "dryRun", "All" } };
    k8s::WriteOptions forced;
    forced.force = true;
    forced.dryRun = true;
    QTest::newRow("forced apply, dry run") << forced << true
                                           << Items { { "fieldManager", "canarydeck" },
                                                      { "force", "true" },
                                                      { "fieldValidation", "Strict" },
                                                      { "dryRun", "All" } };
    QTest::newRow("force is only for apply")
            << forced << false
            << Items { { "fieldManager", "canarydeck" }, { "fieldValidation", "Strict" }, { "dryRun", "All" } };
    k8s::WriteOptions warn;
    warn.fieldValidation = k8s::FieldValidation::Warn;
    warn.fieldManager = QStringLiteral("flagger");
    QTest::newRow("warn, another manager")
            << warn << false << Items { { "fieldManager", "flagger" }, { "fieldValidation", "Warn" } };
    k8s::WriteOptions ignore;
    ignore.fieldValidation = k8s::FieldValidation::Ignore;
    QTest::newRow("ignore") << ignore << false
                            << Items { { "fieldManager", "canarydeck" }, { "fieldValidation", "Ignore" } };
    k8s::WriteOptions bare;
    bare.fieldManager.clear();
    bare.fieldValidation = std::nullopt;
    QTest::newRow("nothing but the server's defaults") << bare << false << Items {};
    QTest::newRow("nothing but force, apply") << bare << true << Items { { "force", "false" } };
}

void TestWriteOptions::queryItems()
{
    QFETCH(k8s::WriteOptions, options);
    QFETCH(bool, serverSideApply);
    QFETCH(Items, expected);
    QCOMPARE(options.queryItems(serverSideApply), expected);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("watch"), QStringLiteral("0"));
    options.addTo(query, serverSideApply);
    const Items kept { { "watch", "0" } };
    QCOMPARE(query.queryItems(), kept + expected);
}

void TestWriteOptions::requests_data()
{
    QTest::addColumn<k8s::KubeRequest>("request");
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("query");

    k8s::WriteOptions forced;
    forced.force = true;
    QTest::newRow("apply with options") << k8s::KubeRequest::apply(QStringLiteral("/x"), "{}", forced)
                                        << QByteArray("PATCH") << QByteArray("application/apply-patch+yaml")
                                        << "fieldManager=canarydeck&force=true&fieldValidation=Strict";
    QTest::newRow("apply as a manager") << k8s::KubeRequest::apply(QStringLiteral("/x"), "{}",
                                                                   QStringLiteral("flagger"))
                                        << QByteArray("PATCH") << QByteArray("application/apply-patch+yaml")
                                        << "fieldManager=flagger&force=false";
}

void TestWriteOptions::requests()
{
    QFETCH(k8s::KubeRequest, request);
    QFETCH(QByteArray, verb);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, query);
    QCOMPARE(request.verb, verb);
    QCOMPARE(request.contentType, contentType);
    QCOMPARE(request.query.toString(), query);
}

QTEST_GUILESS_MAIN(TestWriteOptions)
#include "tst_writeoptions.moc"
