#!/usr/bin/env bash
# kubectl-canary --help start-up time next to kubectl version --client (the tool an operator would use).
set -euo pipefail
bin=${1:?usage: bench_startup.sh path/to/kubectl-canary}
runs=30
time_it() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    echo $(( (end - start) / runs / 1000 ))
}
canary_us=$(time_it "$bin" --help)
printf 'kubectl-canary --help:      %6.1f ms per run (%d runs)\n' "$(echo "$canary_us / 1000" | bc -l)" "$runs"
if command -v kubectl >/dev/null; then
    kubectl_us=$(time_it kubectl version --client)
    printf 'kubectl version --client:   %6.1f ms per run (%d runs)\n' "$(echo "$kubectl_us / 1000" | bc -l)" "$runs"
fi
