#!/usr/bin/env bash
# A real SLURM array job in a test: starts munged, slurmctld and slurmd (Debian's slurm-wlm)
# as a single-node cluster in a temporary folder (no cgroups: proctrack/linuxproc, task/none),
# submits the sbatch script `flowfit submit --slurm` writes for tests/data/batch/batch.toml
# (3 tasks over 24 work items), waits, gathers, and compares every item output with a serial run
# byte for byte. Exits 77 (ctest: skipped) with the reason when the daemons cannot start here.
# Usage: slurm_array.sh FLOWFIT_BINARY TESTS_DATA_BATCH_DIR
set -euo pipefail
flowfit=$(readlink -f "$1")
data=$(readlink -f "$2")

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}
for tool in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null ||
    skip "$tool not found (install slurmctld slurmd slurm-client munge: tools/install_deps.sh)"
done
export PATH=$PATH:/usr/sbin

tmp=$(mktemp -d /tmp/flowfit_slurm_XXXXXX)
chmod 700 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -f $tmp/munge/munged.pid ]]; then
    local munge_pid
    munge_pid=$(cat "$tmp/munge/munged.pid")
    kill "$munge_pid" 2>/dev/null || true
    # munged removes its socket and pid file as it exits: wait, so that the folder can go.
    for _ in $(seq 1 50); do kill -0 "$munge_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # A cleanup failure must not turn a pass or a skip (77) into a failure.
  rm -rf "$tmp" 2>/dev/null || rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT

# munge: its own key and socket.
mkdir -m 700 "$tmp/munge"
mungekey -c -k "$tmp/munge/munge.key" -f >/dev/null 2>&1 || skip "mungekey cannot create a key"
chmod 600 "$tmp/munge/munge.key"
munged --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
  --seed-file="$tmp/munge/munge.seed" --force ||
  skip "munged does not start: $(tail -3 "$tmp/munge/munged.log" 2>/dev/null)"

# slurm.conf: this host as controller and only node, at 127.0.0.1 (no name lookup: a chroot or
# container may not resolve its own host name); ports picked at random (one test at a time
# per port pair; a clash shows as a daemon that does not start and is retried below).
node=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
user=$(id -un)
start_cluster() {
  local base=$((20000 + RANDOM % 20000))
  mkdir -p "$tmp/state" "$tmp/spool"
  cat >"$tmp/slurm.conf" <<CONF
ClusterName=flowfittest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
SlurmctldPort=$base
SlurmdPort=$((base + 1))
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MessageTimeout=5
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$tmp/slurm.conf
  slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
  pids+=($!)
  slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 40); do
    if timeout 5 sinfo -h -o %T 2>/dev/null | grep -qx idle; then return 0; fi
    sleep 0.5
  done
  return 1
}
if ! start_cluster; then
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
  start_cluster || skip "slurmctld/slurmd do not start here: $(tail -2 "$tmp/slurmctld.log" "$tmp/slurmd.log" "$tmp/slurmctld.out" "$tmp/slurmd.out" 2>/dev/null | tr '\n' ' ')"
fi
echo "single-node SLURM up on $node ($cpus CPUs)"

cp -r "$data" "$tmp/work"
cd "$tmp/work"
export OMP_WAIT_POLICY=passive
"$flowfit" --quiet --backend cpu run batch.toml --output-dir serial --progress none
"$flowfit" --quiet submit --slurm batch.toml --tasks 3 >/dev/null
grep -qx '#SBATCH --array=0-2' out/submit_slurm.sh
# The plan asks for 2 CPUs per task; a smaller node gets what it has.
sed -i "s/^#SBATCH --cpus-per-task=.*/#SBATCH --cpus-per-task=$(( cpus < 2 ? cpus : 2 ))/" \
  out/submit_slurm.sh
sed -i "s/^#SBATCH --mem=.*/#SBATCH --mem=256M/" out/submit_slurm.sh
timeout 240 sbatch --wait out/submit_slurm.sh || {
  echo "the array job failed or did not finish in 240 s; queue, daemon and task logs:" >&2
  timeout 5 squeue -a >&2 || true
  tail -n 5 "$tmp/slurmctld.log" "$tmp/slurmd.log" >&2 || true
  tail -n 20 out/logs/* >&2 || true
  exit 1
}
for i in 0 1 2; do
  grep -q "array task $i of 3 (from SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 SLURM_ARRAY_TASK_COUNT=3)" \
    "out/logs/task_$i.log" || { echo "task $i log:"; cat "out/logs/task_$i.log"; exit 1; } >&2
done
"$flowfit" --quiet gather batch.toml
n=0
for f in serial/items/*/flows_*.mtx; do
  rel=${f#serial/}
  cmp "$f" "out/$rel"
  n=$((n + 1))
done
[[ $n -eq 24 ]] || { echo "expected 24 item outputs, found $n" >&2; exit 1; }
echo "SLURM array of 3 tasks: $n item outputs identical to the serial run; gather complete"
