#pragma once

#include <QJsonObject>
#include <QString>

namespace canary::demo {

// labelSelector in its string form (a=b, a!=b, a, !a) against an object's labels.
bool labelSelectorMatches(const QString &selector, const QJsonObject &labels);
// fieldSelector on metadata.name and metadata.namespace (other fields are not filtered on).
bool fieldSelectorMatches(const QString &selector, const QJsonObject &object);
// Both, as a list or a watch applies them.
bool selectorsMatch(const QString &labelSelector, const QString &fieldSelector, const QJsonObject &object);
// A LabelSelector object as its string form (metav1.FormatLabelSelector): requirements sorted by key.
QString formatLabelSelector(const QJsonObject &selector);

} // namespace canary::demo
