#include "core/routing/routing.h"
#include "k8s/yaml.h"

#include <QtTest>

using namespace canary;

namespace {

QJsonObject json(const char *yaml)
{
    return k8s::parseYaml(QByteArray(yaml))->toObject();
}

core::RequestInfo request(const QString &path, const QHash<QString, QString> &headers = {})
{
    core::RequestInfo r;
    r.path = path;
    r.headers = headers;
    return r;
}

} // namespace

class TestRouting : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stringMatch_data();
    void stringMatch();
    void firstMatchWins_data();
    void firstMatchWins();
    void weightedPick();
    void re2Syntax_data();
    void re2Syntax();
};

void TestRouting::stringMatch_data()
{
    QTest::addColumn<QByteArray>("match");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("matches");
    QTest::newRow("exact") << QByteArray("{exact: /}") << QStringLiteral("/") << true;
    QTest::newRow("exact no prefix") << QByteArray("{exact: /}") << QStringLiteral("/x") << false;
    QTest::newRow("prefix") << QByteArray("{prefix: /color}") << QStringLiteral("/color/blue") << true;
    QTest::newRow("prefix miss") << QByteArray("{prefix: /color}") << QStringLiteral("/colour") << false;
    QTest::newRow("regex full match") << QByteArray("{regex: '/v[0-9]+'}") << QStringLiteral("/v12") << true;
    QTest::newRow("regex is anchored") << QByteArray("{regex: '/v[0-9]+'}") << QStringLiteral("/v12/x") << false;
    QTest::newRow("regex alternation") << QByteArray("{regex: 'dark|canary'}") << QStringLiteral("canary") << true;
    QTest::newRow("invalid regex never matches") << QByteArray("{regex: '(a'}") << QStringLiteral("(a") << false;
    QTest::newRow("empty matches presence") << QByteArray("{}") << QStringLiteral("anything") << true;
}

void TestRouting::stringMatch()
{
    QFETCH(QByteArray, match);
    QFETCH(QString, value);
    QFETCH(bool, matches);
    QCOMPARE(core::stringMatches(k8s::parseYaml(match)->toObject(), value), matches);
}

void TestRouting::firstMatchWins_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("header");
    QTest::addColumn<int>("route");
    QTest::newRow("dark header") << QStringLiteral("/") << QStringLiteral("dark") << 0;
    QTest::newRow("other header value") << QStringLiteral("/") << QStringLiteral("light") << 3;
    QTest::newRow("and: header and uri both needed") << QStringLiteral("/api") << QStringLiteral("beta") << 1;
    QTest::newRow("and: uri alone is not enough") << QStringLiteral("/api") << QString() << 2;
    QTest::newRow("or: second block") << QStringLiteral("/admin") << QString() << 2;
    QTest::newRow("catch-all") << QStringLiteral("/home") << QString() << 3;
}

void TestRouting::firstMatchWins()
{
    QFETCH(QString, path);
    QFETCH(QString, header);
    QFETCH(int, route);
    const QJsonObject vs = json(R"(http:
- match: [{headers: {x-my-header: {exact: dark}}}]
  route: [{destination: {host: greeting, subset: risky}}]
- match: [{uri: {prefix: /api}, headers: {x-channel: {exact: beta}}}]
  route: [{destination: {host: greeting, subset: beta}}]
- match: [{uri: {prefix: /api}}, {uri: {exact: /admin}}]
  route: [{destination: {host: greeting, subset: safe}}]
- route: [{destination: {host: greeting, subset: safe}}]
- route: [{destination: {host: greeting, subset: never}}]
)");
    QHash<QString, QString> headers;
    if (!header.isEmpty()) {
        headers.insert(QStringLiteral("x-my-header"), header);
        headers.insert(QStringLiteral("x-channel"), header);
    }
    QCOMPARE(core::firstMatchingRoute(vs.value(QLatin1String("http")).toArray(), request(path, headers)), route);
}

void TestRouting::weightedPick()
{
    const QList<core::RouteDestination> dests { { QStringLiteral("a"), {}, 75, true },
                                                { QStringLiteral("b"), {}, 25, true } };
    QCOMPARE(core::pickDestination(dests, 0.0), 0);
    QCOMPARE(core::pickDestination(dests, 0.7499), 0);
    QCOMPARE(core::pickDestination(dests, 0.75), 1);
    QCOMPARE(core::pickDestination(dests, 0.9999), 1);
    const QList<core::RouteDestination> zero { { QStringLiteral("a"), {}, 0, true },
                                               { QStringLiteral("b"), {}, 100, true } };
    QCOMPARE(core::pickDestination(zero, 0.0), 1);
    const QList<core::RouteDestination> lone { { QStringLiteral("a"), {}, 0, false } };
    QCOMPARE(core::pickDestination(lone, 0.5), 0);
    const QList<core::RouteDestination> none { { QStringLiteral("a"), {}, 0, true },
                                               { QStringLiteral("b"), {}, 0, true } };
    QCOMPARE(core::pickDestination(none, 0.5), -1);
    // Relative weights as current Istio reads them: 1:3 is 25/75.
    const QList<core::RouteDestination> relative { { QStringLiteral("a"), {}, 1, true },
                                                   { QStringLiteral("b"), {}, 3, true } };
    QCOMPARE(core::pickDestination(relative, 0.24), 0);
    QCOMPARE(core::pickDestination(relative, 0.26), 1);
}

void TestRouting::re2Syntax_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("^/api/v[0-9]+$") << true;
    QTest::newRow("unbalanced") << QStringLiteral("(dark") << false;
    QTest::newRow("backreference is not RE2") << QStringLiteral("(a)\\1") << false;
    QTest::newRow("lookahead is not RE2") << QStringLiteral("(?=dark)") << false;
}

void TestRouting::re2Syntax()
{
    QFETCH(QString, pattern);
    QFETCH(bool, valid);
    QString error;
    QCOMPARE(core::isValidRe2(pattern, &error), valid);
    QCOMPARE(error.isEmpty(), valid);
}

QTEST_GUILESS_MAIN(TestRouting)
#include "tst_routing.moc"
