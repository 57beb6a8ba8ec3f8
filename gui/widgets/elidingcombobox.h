#pragma once

#include <QComboBox>

namespace canary::gui {

// A combo box that elides its current text when it is narrower than the text (a long match
// condition, a long version name) instead of cutting it off; the popup and tooltip show it whole.
class ElidingComboBox final : public QComboBox {
    Q_OBJECT
public:
    explicit ElidingComboBox(QWidget *parent = nullptr);

protected:
    void paintEvent(QPaintEvent *event) override;
};

} // namespace canary::gui
