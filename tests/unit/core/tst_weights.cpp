#include "core/edit/weights.h"

#include <QtTest>
#include <numeric>

using namespace canary;

class TestWeights : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void redistribute_data();
    void redistribute();
    void alwaysSumsTo100();
    void normalize_data();
    void normalize();
};

using IntList = QList<int>;

void TestWeights::redistribute_data()
{
    QTest::addColumn<IntList>("before");
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("value");
    QTest::addColumn<IntList>("after");
    QTest::newRow("two versions") << IntList { 75, 25 } << 1 << 50 << IntList { 50, 50 };
    QTest::newRow("promote by slider") << IntList { 75, 25 } << 1 << 100 << IntList { 0, 100 };
    QTest::newRow("single version") << IntList { 100 } << 0 << 40 << IntList { 100 };
    QTest::newRow("proportional three") << IntList { 50, 30, 20 } << 0 << 0 << IntList { 0, 60, 40 };
    QTest::newRow("rounding largest remainder") << IntList { 34, 33, 33 } << 0 << 1 << IntList { 1, 50, 49 };
    QTest::newRow("others all zero split equally") << IntList { 100, 0, 0 } << 0 << 40 << IntList { 40, 30, 30 };
    QTest::newRow("odd split ties to lower index") << IntList { 100, 0, 0 } << 0 << 99 << IntList { 99, 1, 0 };
    QTest::newRow("clamped above") << IntList { 50, 50 } << 0 << 140 << IntList { 100, 0 };
    QTest::newRow("clamped below") << IntList { 50, 50 } << 0 << -5 << IntList { 0, 100 };
    QTest::newRow("seed 004 one percent") << IntList { 1, 99 } << 0 << 10 << IntList { 10, 90 };
    QTest::newRow("four versions") << IntList { 40, 30, 20, 10 } << 3 << 40 << IntList { 27, 20, 13, 40 };
    QTest::newRow("bad index unchanged") << IntList { 60, 40 } << 5 << 10 << IntList { 60, 40 };
}

void TestWeights::redistribute()
{
    QFETCH(IntList, before);
    QFETCH(int, index);
    QFETCH(int, value);
    QFETCH(IntList, after);
    QCOMPARE(core::redistributeWeights(before, index, value), after);
}

void TestWeights::alwaysSumsTo100()
{
    QRandomGenerator rng(42);
    for (int round = 0; round < 2000; ++round) {
        const int n = rng.bounded(2, 7);
        IntList w(n, 0);
        w[0] = 100;
        for (int step = 0; step < 5; ++step) {
            w = core::redistributeWeights(w, rng.bounded(n), rng.bounded(101));
            QCOMPARE(std::accumulate(w.begin(), w.end(), 0), 100);
            for (int x : w)
                QVERIFY(x >= 0 && x <= 100);
        }
    }
}

void TestWeights::normalize_data()
{
    QTest::addColumn<QList<double>>("proportions");
    QTest::addColumn<IntList>("expected");
    QTest::newRow("thirds") << QList<double> { 1, 1, 1 } << IntList { 34, 33, 33 };
    QTest::newRow("istio relative 1:3") << QList<double> { 1, 3 } << IntList { 25, 75 };
    QTest::newRow("all zero") << QList<double> { 0, 0 } << IntList { 50, 50 };
    QTest::newRow("sum 200") << QList<double> { 150, 50 } << IntList { 75, 25 };
}

void TestWeights::normalize()
{
    QFETCH(QList<double>, proportions);
    QFETCH(IntList, expected);
    QCOMPARE(core::normalizeWeights(proportions), expected);
}

QTEST_GUILESS_MAIN(TestWeights)
#include "tst_weights.moc"
