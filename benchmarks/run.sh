#!/usr/bin/env bash
# Runs every KdDsl benchmark in one process (docs/benchmarks.md), after waiting for the machine to be quiet:
# polls the 1-minute load average once a minute until it drops below KDDSL_BENCH_MAX_LOAD (default 1.5), for at most
# KDDSL_BENCH_WAIT_MINUTES (default 25); if it never gets quiet, runs anyway and says so. Extra arguments go to the
# benchmark program (e.g. `benchmarks/run.sh` or `benchmarks/run.sh --rounds 20`). Output is also written to
# benchmarks/results/<date>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
max_load="${KDDSL_BENCH_MAX_LOAD:-1.5}"
wait_minutes="${KDDSL_BENCH_WAIT_MINUTES:-25}"
command="${KDDSL_BENCH_COMMAND:-all}"

dotnet build -c Release benchmarks/KdDsl.Benchmarks >/dev/null

quiet=no
for ((minute = 0; minute <= wait_minutes; minute++)); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$(date '+%F %T') load average (1 min) $load"
    if awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }'; then quiet=yes; break; fi
    if ((minute < wait_minutes)); then sleep 60; fi
done
if [[ $quiet == no ]]; then
    echo "WARNING: the load average never dropped below $max_load in $wait_minutes minutes; measuring anyway on a busy machine."
fi

mkdir -p benchmarks/results
log="benchmarks/results/$(date '+%Y%m%d-%H%M%S').log"
{
    echo "command: dotnet benchmarks/KdDsl.Benchmarks/bin/Release/net10.0/KdDsl.Benchmarks.dll $command $*"
    echo "quiet: $quiet (threshold $max_load); uptime: $(uptime)"
    dotnet benchmarks/KdDsl.Benchmarks/bin/Release/net10.0/KdDsl.Benchmarks.dll "$command" "$@"
    echo "uptime after: $(uptime)"
} 2>&1 | tee "$log"
echo "log: $log"
