#pragma once

#include <QColor>
#include <QList>
#include <QWidget>

class QGridLayout;
class QLabel;
class QSlider;
class QSpinBox;
class QToolButton;

namespace canary::gui {

struct WeightRow {
    QString version;
    QString detail; // pods, host
    QColor color;
};

// What the telemetry says of a version, beside its slider. Negative numbers: not known.
struct VersionReading {
    double observedPercent = -1; // its share of the release's requests
    double successPercent = -1;
    double p99Ms = -1;
    QString verdict; // in words: "healthy", "worse", "not enough traffic", "stable"
    QColor verdictColor; // the badge's background; the words say it without the colour
    QString verdictDetail; // why, for the tooltip: "success 70.2 % vs 99.9 %: lower by more than 1 point"
};

// One linked slider and spin box per version of a route; moving one redistributes the others so
// the weights always sum to 100 (the arithmetic is core's). Under each, the version's readings and
// its verdict as a badge.
class WeightEditor final : public QWidget {
    Q_OBJECT
public:
    explicit WeightEditor(QWidget *parent = nullptr);

    void setRows(const QList<WeightRow> &rows, const QList<int> &weights);
    QList<int> weights() const { return m_weights; }
    void setWeights(const QList<int> &weights);
    void setReadings(const QList<VersionReading> &readings);
    // Only the default route's weights compare with the observed shares of the release's traffic.
    void setObservedVisible(bool visible);
    void setObservedToolTip(const QString &text);
    void setPromoteEnabled(bool enabled);
    // Readings on two lines where one is too wide (presentation's large type).
    void setWrapReadings(bool wrap);
    QString readingText(int row) const;
    QString verdictText(int row) const;

Q_SIGNALS:
    void weightsChanged(const QList<int> &weights);
    // A slider is held, then let go: what changes in between is one edit.
    void dragStarted();
    void dragFinished();
    void promoteRequested(const QString &version);

private:
    struct Widgets {
        QLabel *swatch;
        QLabel *name;
        QSlider *slider;
        QSpinBox *spin;
        QToolButton *promote;
        QLabel *reading;
        QLabel *verdict;
    };
    bool sameVersions(const QList<WeightRow> &rows) const;
    Widgets makeRow(int index, const WeightRow &row);
    void showReadings();
    void onValueChanged(int index, int value);
    void sync();

    QGridLayout *m_grid;
    QList<WeightRow> m_rows;
    QList<int> m_weights;
    QList<Widgets> m_widgets;
    QList<VersionReading> m_readings;
    bool m_observedVisible = true;
    bool m_wrapReadings = false;
    QString m_observedTip;
};

} // namespace canary::gui
