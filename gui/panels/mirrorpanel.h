#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;

namespace canary::core {
class EditSession;
}

namespace canary::gui {

// Copies a share of the selected route's requests to another version (answers from the copy are dropped).
class MirrorPanel final : public QWidget {
    Q_OBJECT
public:
    explicit MirrorPanel(core::EditSession *edits, QWidget *parent = nullptr);

private:
    void refresh();

    core::EditSession *m_edits;
    QComboBox *m_version;
    QDoubleSpinBox *m_percent;
    QPushButton *m_button;
    QString m_shownFor; // release and route the fields were filled for
};

} // namespace canary::gui
