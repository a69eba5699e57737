#!/usr/bin/env bash
# A sweep on a real Slurm cluster: installs Debian's slurm-wlm and munge (when sbatch is missing), configures a one-node cluster
# in a private folder (its own slurm.conf through SLURM_CONF, its own munge socket, addresses 127.0.0.1 so the host name need
# not resolve: nothing under /etc is changed), starts munged, slurmctld and slurmd, writes the job-array script with the sweep
# host's `slurm --shards 2`, submits it unmodified with sbatch, waits for the array, merges the shards with `report` and
# compares that with a single-process sweep of the same work.
# The daemons it started are stopped on every exit (trap). Needs root (apt-get, and slurmd runs jobs as their owner) and the
# sweep host built (dotnet build KdDsl.sln builds tests/KdDsl.SweepHost).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)
timeout_s=${SLURM_CHECK_TIMEOUT:-300}

host_dll="$repo/tests/KdDsl.SweepHost/bin/Debug/net10.0/KdDsl.SweepHost.dll"
[ -e "$host_dll" ] || { echo "slurm-check: $host_dll is missing; run dotnet build KdDsl.sln first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "slurm-check: needs root (apt-get, slurmd)" >&2; exit 2; }
if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null || ! command -v slurmd >/dev/null; then
  echo "== installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
work=$(mktemp -d /tmp/kddsl-slurm.XXXXXX)
chmod 755 "$work"
pids=()
stop() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$code" != 0 ]; then
    echo "slurm-check FAILED (exit $code); daemon logs and task logs follow" >&2
    tail -n 60 "$work"/*.log "$work"/results/*.out >&2 2>/dev/null || true # stdout to stderr first, then silence tail's own errors
  fi
  rm -rf "$work"
  exit "$code"
}
trap stop EXIT

# munge: a private daemon on a private socket, with the key apt created (or a fresh one).
[ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; chmod 400 /etc/munge/munge.key; }
cp /etc/munge/munge.key "$work/munge.key"; chmod 400 "$work/munge.key"
mkdir -p "$work/munge"; chmod 700 "$work/munge"
munged --force --socket="$work/munge/munge.sock" --key-file="$work/munge.key" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munged.log" --seed-file="$work/munge/seed"
for _ in $(seq 50); do [ -s "$work/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/munge/munged.pid")")

node=$(hostname -s)
port_base=$((17000 + $$ % 2000))
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<EOF
ClusterName=kddsl-ci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port_base
SlurmdPort=$((port_base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SchedulerType=sched/backfill
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
sbatch --version
slurmctld -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo

# The sweep: one experiment on one data set, 4 trials, 2 shards of 1 CPU each, so both tasks start together and race for the
# teacher (the sweep trains it once: the other shard waits for it and loads it).
cd "$work"
mkdir data
work_args=(--experiment HostWideSweep --dataset digits-400 --data "$work/data")
dotnet "$host_dll" slurm --shards 2 --cpus 1 --time 00:10:00 --db-dir "$work/results" --out "$work/sweep.sbatch" "${work_args[@]}"
job=$(sbatch --parsable "$work/sweep.sbatch")
echo "submitted job array $job"
deadline=$(( $(date +%s) + timeout_s ))
while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "slurm-check: job $job still queued or running after ${timeout_s}s" >&2; squeue -j "$job" >&2; exit 1; }
  sleep 1
done
scontrol show job "$job" | grep -E 'JobId=|JobState=' | paste - - | sed 's/  */ /g'
states=$(scontrol show job "$job" | grep -o 'JobState=[A-Z_]*' | sort -u)
[ "$states" = "JobState=COMPLETED" ] || { echo "slurm-check: array tasks ended as: $states" >&2; exit 1; }
for log in results/slurm-*.out; do echo "--- $log"; cat "$log"; done
trained=$(cat results/slurm-*.out | grep -c 'teacher trained' || true)
[ "$trained" = 1 ] || { echo "slurm-check: the two shards trained the teacher $trained times (expected once)" >&2; exit 1; }

dotnet "$host_dll" report --db results/shard-0.db --db results/shard-1.db > sharded.md
OMP_NUM_THREADS=1 dotnet "$host_dll" sweep --db single/sweep.db "${work_args[@]}" > single.log
dotnet "$host_dll" report --db single/sweep.db > single.md
if ! diff -u single.md sharded.md; then echo "slurm-check: the shards' report differs from the single-process sweep's" >&2; exit 1; fi
cat sharded.md
echo "slurm-check: passed in $(( $(date +%s) - start )) s (report of the Slurm array identical to the single-process sweep)"
