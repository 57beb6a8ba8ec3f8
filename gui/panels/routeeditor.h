#pragma once

#include "gui/widgets/weighteditor.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace canary::core {
class EditSession;
class RouteListModel;
} // namespace canary::core

namespace canary::gui {

class WeightEditor;

// The release being edited: what it is, which route, and that route's weights as linked sliders.
class RouteEditor final : public QWidget {
    Q_OBJECT
public:
    explicit RouteEditor(core::EditSession *edits, QWidget *parent = nullptr);

    // Per version of the release: its share of all the release's requests, negative when unknown.
    // Per version (in the release's order); `window` says over what ("in the last 10 s").
    void setReadings(const QList<VersionReading> &readings, const QString &window);
    void setPromoteEnabled(bool enabled);
    WeightEditor *weights() const { return m_weights; }

Q_SIGNALS:
    void promoteRequested(const QString &version);

private:
    void refresh();
    void refreshHeading();

    core::EditSession *m_edits;
    core::RouteListModel *m_routes;
    QLabel *m_title;
    QLabel *m_detail;
    QComboBox *m_routeCombo;
    WeightEditor *m_weights;
    QLabel *m_sum;
    QLabel *m_observedNote;
    QString m_observedWindow;
};

} // namespace canary::gui
