#!/usr/bin/env bash
# Fails on a C++ file that .clang-format would change; names the files.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find k8s core gui cli demo tests bench fuzz -name '*.cpp' -o -name '*.h')
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
    echo "not formatted (run clang-format -i on them): ${bad[*]}" >&2
    exit 1
fi
echo "${#files[@]} files formatted as .clang-format says"
