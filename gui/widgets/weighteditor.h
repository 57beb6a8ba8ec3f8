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

// One linked slider and spin box per version of a route; moving one redistributes the others so
// the weights always sum to 100 (the arithmetic is core's).
class WeightEditor final : public QWidget {
    Q_OBJECT
public:
    explicit WeightEditor(QWidget *parent = nullptr);

    void setRows(const QList<WeightRow> &rows, const QList<int> &weights);
    QList<int> weights() const { return m_weights; }
    void setWeights(const QList<int> &weights);
    void setObservedShares(const QList<double> &percent); // negative: unknown
    void setObservedVisible(bool visible);
    void setObservedToolTip(const QString &text);
    void setPromoteEnabled(bool enabled);

Q_SIGNALS:
    void weightsChanged(const QList<int> &weights);
    // A slider is held, then let go: what changes in between is one edit.
    void dragStarted();
    void dragFinished();
    void promoteRequested(const QString &version);

private:
    void clearRows();
    void addRow(int index, const WeightRow &row);
    void onValueChanged(int index, int value);
    void sync();

    QGridLayout *m_grid;
    QList<WeightRow> m_rows;
    QList<int> m_weights;
    QList<QSlider *> m_sliders;
    QList<QSpinBox *> m_spins;
    QList<QLabel *> m_names;
    QList<QLabel *> m_observed;
    QList<QToolButton *> m_promote;
    QList<QWidget *> m_widgets;
    bool m_observedVisible = true;
    QString m_observedTip;
};

} // namespace canary::gui
