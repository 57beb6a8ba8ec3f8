#!/usr/bin/env bash
# ./dev demo stops the demo cluster and the Prometheus it started when the window closes, on Ctrl+C (SIGINT), on
# SIGTERM and on SIGHUP (the terminal closed); without Prometheus the demo runs all the same. Run with this
# build's binaries and a command in place of the window; nothing is installed or built.
# Usage: dev_demo.sh DEV BUILD_DIR DEMO_CLUSTER_BINARY
set -uo pipefail
dev=$1
build=$2
binary=$(readlink -f "$3")
[ -x "$binary" ] || { echo "FAIL: $3 is not built"; exit 1; }
prometheus=$(command -v prometheus) || { echo "FAIL: prometheus is not installed: ./dev test installs it"; exit 1; }
prometheus=$(readlink -f "$prometheus")

work=$(mktemp -d)
failures=0
leftovers=() # of the case running: what ./dev failed to stop is ended here, by pid, while it still runs
end_leftovers() {
    local pid
    for pid in "${leftovers[@]}"; do
        alive "$pid" && kill -KILL "$pid" 2>/dev/null
    done
    leftovers=()
}
trap 'end_leftovers; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# A build or an install fails loudly instead of running.
mkdir "$work/shims"
for tool in cmake ninja apt-get sudo; do
    printf '#!/bin/sh\necho "./dev demo ran %s: it must neither build nor install here" >&2\nexit 97\n' "$tool" >"$work/shims/$tool"
    chmod +x "$work/shims/$tool"
done

fail() {
    echo "FAIL [$case]: $*"
    failures=$((failures + 1))
}

# The demo cluster that writes DIR/kubeconfig: this build's binary.
cluster_pids() {
    local proc cmdline
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/exe" 2>/dev/null)" = "$binary" ] || continue
        cmdline=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
        [[ $cmdline == *" $1/kubeconfig "* ]] && echo "${proc#/proc/}"
    done
}

# The Prometheus whose data is under DIR/prometheus.
prometheus_pids() {
    local proc cmdline
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/exe" 2>/dev/null)" = "$prometheus" ] || continue
        cmdline=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
        [[ $cmdline == *"$1/prometheus/"* ]] && echo "${proc#/proc/}"
    done
}

alive() { # a zombie (no exe) has stopped too
    [ -e "/proc/$1/exe" ] && readlink "/proc/$1/exe" >/dev/null 2>&1
}

gone_within() { # SECONDS PID
    local _
    for _ in $(seq 1 $(($1 * 10))); do
        alive "$2" || return 0
        sleep 0.1
    done
    return 1
}

# CASE ACTION EXPECTED_STATUS [PROMETHEUS]: ./dev demo with a window that records its pid and stays until
# DIR/close exists; once it is up, ACTION is "close" (the window exits by itself) or a signal sent to ./dev.
# PROMETHEUS "none" runs the demo as where Prometheus is not installed.
# A background job of a script ignores SIGINT, which ./dev run from a terminal does not: env restores it.
run_case() {
    case=$1
    local action=$2 expected=$3 with_prometheus=${4:-} failed_before=$failures
    local dir=$work/$case
    mkdir -p "$dir"
    local window="test -s \"\$KUBECONFIG\" || exit 3; echo \$\$ >'$dir/window.pid'; while [ ! -e '$dir/close' ]; do sleep 0.1; done"
    CANARYDECK_DEMO_BIN_DIR=$build CANARYDECK_DEMO_DIR=$dir CANARYDECK_DEMO_WINDOW=$window PATH=$work/shims:$PATH \
        CANARYDECK_DEMO_PROMETHEUS=$with_prometheus env --default-signal=INT "$dev" demo --users 0 \
        >"$dir/stdout" 2>"$dir/stderr" &
    local dev_pid=$!
    leftovers+=("$dev_pid")
    local _
    for _ in $(seq 1 600); do
        [ -s "$dir/window.pid" ] && break
        alive "$dev_pid" || break
        sleep 0.1
    done
    local found scrapers
    mapfile -t found < <(cluster_pids "$dir")
    mapfile -t scrapers < <(prometheus_pids "$dir")
    leftovers+=("${found[@]}" "${scrapers[@]}")
    if [ ! -s "$dir/window.pid" ]; then
        fail "the window did not open"
        sed 's/^/    /' "$dir/stderr" "$dir/cluster.log" 2>/dev/null
        end_leftovers
        return
    fi
    local window_pid
    window_pid=$(cat "$dir/window.pid")
    leftovers+=("$window_pid")
    if [ "${#found[@]}" != 1 ]; then
        fail "expected one demo cluster writing $dir/kubeconfig, found: ${found[*]:-none}"
        end_leftovers
        return
    fi
    local cluster=${found[0]}
    grep -q '^READY ' "$dir/ready" || fail "the window opened before the cluster was ready"
    if [ "$with_prometheus" = none ]; then
        [ "${#scrapers[@]}" = 0 ] || fail "Prometheus runs although there is none: ${scrapers[*]}"
    elif [ "${#scrapers[@]}" != 1 ]; then
        fail "expected one Prometheus with its data under $dir/prometheus, found: ${scrapers[*]:-none}"
        end_leftovers
        return
    else
        check_prometheus "$dir" "$cluster"
    fi

    if [ "$action" = close ]; then
        touch "$dir/close"
    else
        kill -s "$action" "$dev_pid"
    fi
    gone_within 10 "$cluster" || fail "the demo cluster (pid $cluster) still runs 10 s after $action"
    if [ "${#scrapers[@]}" = 1 ]; then
        gone_within 10 "${scrapers[0]}" || fail "Prometheus (pid ${scrapers[0]}) still runs 10 s after $action"
    fi
    gone_within 10 "$window_pid" || fail "the window (pid $window_pid) still runs 10 s after $action"
    if gone_within 10 "$dev_pid"; then
        local status=0
        wait "$dev_pid" || status=$?
        [ "$status" = "$expected" ] || fail "./dev exited with $status, expected $expected"
    else
        fail "./dev still runs 10 s after $action"
    fi
    end_leftovers
    if grep -q 'unbound variable' "$dir/stderr"; then
        fail "stderr: $(grep 'unbound variable' "$dir/stderr")"
    fi
    local what="the cluster, Prometheus, the window and ./dev"
    [ "$with_prometheus" != none ] || what="the cluster (run without Prometheus), the window and ./dev"
    ((failures > failed_before)) || echo "ok [$case]: $action stopped $what (exit $expected)"
}

# The demo cluster proxies to the Prometheus ./dev started, which is ready and scrapes the cluster's metrics.
check_prometheus() { # DIR CLUSTER_PID
    local url
    url=$(tr '\0' '\n' <"/proc/$2/cmdline" | sed -n '/^--prometheus-url$/{n;p;}')
    [ -n "$url" ] || { fail "the demo cluster was not given --prometheus-url"; return; }
    curl -sf "$url/-/ready" >/dev/null || fail "Prometheus at $url (--prometheus-url) is not ready"
    local metrics
    metrics=$(sed -n 's/^READY .*"metrics":"http:\/\/\([^/"]*\)\/.*/\1/p' "$1/ready")
    grep -q "targets: \['$metrics'\]" "$1/prometheus/prometheus.yml" \
        || fail "$1/prometheus/prometheus.yml does not scrape $metrics: $(cat "$1/prometheus/prometheus.yml")"
    grep -q 'scrape_interval: 1s' "$1/prometheus/prometheus.yml" || fail "Prometheus does not scrape every second"
}

# stderr is bash's own: it would report how each ./dev died. What fails is said on stdout.
run_case window-closed close 0 2>/dev/null
run_case sigint INT 130 2>/dev/null
run_case sigterm TERM 143 2>/dev/null
run_case sighup HUP 129 2>/dev/null
run_case without-prometheus close 0 none 2>/dev/null

if ((failures)); then
    echo "$failures failure(s)"
    exit 1
fi
