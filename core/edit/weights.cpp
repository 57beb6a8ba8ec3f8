#include "core/edit/weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace canary::core {

namespace {

QList<int> apportion(const QList<double> &proportions, int total)
{
    QList<int> out(proportions.size(), 0);
    if (proportions.isEmpty() || total <= 0)
        return out;
    double sum = 0;
    for (double p : proportions)
        sum += std::max(0.0, p);
    QList<double> shares;
    if (sum <= 0) {
        shares = QList<double>(proportions.size(), double(total) / proportions.size());
    } else {
        for (double p : proportions)
            shares.append(total * std::max(0.0, p) / sum);
    }
    int assigned = 0;
    for (int i = 0; i < shares.size(); ++i) {
        out[i] = int(std::floor(shares[i] + 1e-9));
        assigned += out[i];
    }
    QList<int> order(shares.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return (shares[a] - out[a]) > (shares[b] - out[b]) + 1e-9; });
    for (int k = 0; assigned < total; k = (k + 1) % int(order.size())) {
        ++out[order[k]];
        ++assigned;
    }
    return out;
}

} // namespace

QList<int> redistributeWeights(const QList<int> &weights, int index, int value)
{
    if (index < 0 || index >= weights.size())
        return weights;
    value = std::clamp(value, 0, 100);
    if (weights.size() == 1)
        return { 100 };
    QList<double> others;
    for (int i = 0; i < weights.size(); ++i) {
        if (i != index)
            others.append(std::max(0, weights.at(i)));
    }
    const QList<int> spread = apportion(others, 100 - value);
    QList<int> out;
    for (int i = 0, j = 0; i < weights.size(); ++i)
        out.append(i == index ? value : spread.at(j++));
    return out;
}

QList<int> normalizeWeights(const QList<double> &proportions)
{
    return apportion(proportions, 100);
}

} // namespace canary::core
