#pragma once

#include <QList>

namespace canary::core {

// Linked sliders: set one weight and spread the remainder over the others in proportion to their
// current weights (equally when they are all zero), in integers that always sum to 100. Ties in the
// rounding go to the lower index, so the result is deterministic.
QList<int> redistributeWeights(const QList<int> &weights, int index, int value);

// Integer percentages summing to 100 from arbitrary non-negative proportions (largest remainder).
QList<int> normalizeWeights(const QList<double> &proportions);

} // namespace canary::core
