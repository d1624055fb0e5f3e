#!/usr/bin/env bash
# The README's cluster path on a real scheduler (issue 16, item 12).
#
# Brings up a private one-node Slurm (munged, slurmctld -D, slurmd -D, all in a temporary
# folder, on free ports, nothing under /etc touched), submits the README's job array and its
# dependent merge as the README writes them, waits for both, and compares the merged folder
# with a single `lyncsim run` of the same study byte for byte (`diff -r`). Then it stops
# what it started and removes the folder.
#
# The two commands are read from README.md ("Beyond one machine: shards and merge"): the
# block holding `#SBATCH` is the job script `shards.sbatch`, the block holding
# `sbatch --dependency` the submission. Only two things are changed, and each change must
# match or the test fails (so it breaks when the README drifts):
#   - `--replications 100000` becomes `--replications 32` (2 per shard; the scenario,
#     `--array=0-15`, `--cpus-per-task=8`, `--jobs "$SLURM_CPUS_PER_TASK"` and every other
#     flag stay as written);
#   - `/shared/lyncsim` (the cluster's shared file system) becomes a temporary folder.
# The node declares 16 CPUs whatever the machine has (SlurmdParameters=config_overrides), so
# that two 8-CPU tasks run at once; each needs a fraction of a second.
#
# Container-friendly settings: no systemd, no cgroups (ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none, JobAcctGatherType=jobacct_gather/none, no cgroup plugin loaded).
#
# Exit status: 0 when the merged bytes equal the single run's; 1 when they differ or the
# cluster path fails; 77 when Slurm or munge is not installed and cannot be installed
# (skipped, with the reason on stderr). `LYNCSIM_SLURM_INSTALL=0` skips the apt-get install.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

skip() {
    echo "slurm test SKIPPED: $*" >&2
    exit 77
}

need=(munged mungekey slurmctld slurmd sbatch squeue scontrol)
missing() {
    for tool in "${need[@]}"; do
        command -v "$tool" >/dev/null || { echo "$tool"; return 0; }
    done
    return 1
}
if missing >/dev/null && [ "${LYNCSIM_SLURM_INSTALL:-1}" != 0 ]; then
    echo "installing slurm-wlm and munge (apt-get)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null) \
        || echo "warning: apt-get install slurm-wlm munge failed" >&2
fi
if tool="$(missing)"; then
    skip "$tool is not installed (Debian packages slurm-wlm and munge)"
fi

echo "== building lyncsim (release)"
cargo build --release --quiet
bin="$repo/target/release"

work="$(mktemp -d /tmp/lyncsim-slurm.XXXXXX)"
chmod 700 "$work"
pids=()
teardown() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" != 0 ] && [ "$status" != 77 ]; then
        for log in "$work"/log/*.log "$work"/jobs/slurm-*.out; do
            [ -s "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap teardown EXIT
trap 'exit 1' INT TERM

# A TCP port nobody listens on, from `from` upwards.
free_port() {
    local port=$1
    while ss -Htln "sport = :$port" | grep -q .; do
        port=$((port + 1))
    done
    echo "$port"
}

mkdir -p "$work"/{log,spool,state,jobs,shared}
node="$(hostname -s)"
ctld_port="$(free_port $((20000 + $$ % 20000)))"
slurmd_port="$(free_port $((ctld_port + 1)))"

echo "== munge (private key and socket in $work)"
mungekey --create --keyfile "$work/munge.key" >/dev/null
chmod 600 "$work/munge.key"
munged --force --key-file "$work/munge.key" --socket "$work/munge.socket" \
    --pid-file "$work/munged.pid" --seed-file "$work/munged.seed" --log-file "$work/log/munged.log"
pids+=("$(cat "$work/munged.pid")")

echo "== slurm.conf: one node ($node), one partition, ports $ctld_port and $slurmd_port"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=lyncsim-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=16 State=UNKNOWN
PartitionName=$node Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# No cgroup plugin is used (linuxproc, task/none), but slurmd reads cgroup.conf when present.
cat >"$work/cgroup.conf" <<EOF
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF

echo "== slurmctld -D and slurmd -D"
slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=("$!")
slurmd -D -N "$node" -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=("$!")

# Wait (at most 60 s) for the node to be idle.
for _ in $(seq 1 120); do
    state="$(sinfo -h -n "$node" -o %t 2>/dev/null || true)"
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || { echo "error: the node did not become idle (state '$state')" >&2; exit 1; }
sinfo

echo "== the README's job array and merge"
# The ```sh blocks of the README's cluster section.
blocks="$work/blocks"
awk '
    /^## Beyond one machine/ { inside = 1; next }
    /^## / { inside = 0 }
    inside && /^```sh$/ { n++; file = sprintf("'"$blocks"'.%d", n); capture = 1; next }
    capture && /^```$/ { capture = 0; close(file); next }
    capture { print > file }
' README.md
script="" submit=""
for block in "$blocks".*; do
    grep -q '^#SBATCH' "$block" && script="$block"
    grep -q 'sbatch --dependency' "$block" && submit="$block"
done
[ -n "$script" ] || { echo "error: README.md has no job script (a sh block with #SBATCH lines)" >&2; exit 1; }
[ -n "$submit" ] || { echo "error: README.md has no submission (a sh block with sbatch --dependency)" >&2; exit 1; }
grep -q 'shards.sbatch' "$submit" || { echo "error: the README's submission does not name shards.sbatch" >&2; exit 1; }

# Each replacement must apply, so the test fails when the README drifts from it.
replace() { # file, text, replacement
    grep -qF -- "$2" "$1" || { echo "error: README block no longer holds '$2':" >&2; cat "$1" >&2; exit 1; }
    local escaped_from escaped_to
    escaped_from="$(printf '%s' "$2" | sed 's/[][\/.*^$]/\\&/g')"
    escaped_to="$(printf '%s' "$3" | sed 's/[\/&]/\\&/g')"
    sed -i "s/$escaped_from/$escaped_to/g" "$1"
}
replications=32
replace "$script" "--replications 100000" "--replications $replications"
replace "$script" "/shared/lyncsim" "$work/shared"
replace "$submit" "/shared/lyncsim" "$work/shared"
cp "$script" "$work/jobs/shards.sbatch"
echo "--- shards.sbatch"
cat "$work/jobs/shards.sbatch"
echo "--- submitted from $work/jobs"
cat "$submit"

# The jobs run where they were submitted (their slurm-*.out files land there) and find
# `scenarios/` there, as on a cluster where the study's folder is the working directory.
ln -s "$repo/scenarios" "$work/jobs/scenarios"
(cd "$work/jobs" && PATH="$bin:$PATH" bash -euo pipefail "$submit")
submitted=$SECONDS

# Wait (at most 120 s) until no job is pending or running.
for _ in $(seq 1 240); do
    [ -z "$(squeue -h -o %i)" ] && break
    sleep 0.5
done
if [ -n "$(squeue -h -o %i)" ]; then
    squeue >&2
    echo "error: the jobs did not finish within 120 s" >&2
    exit 1
fi
echo "the 16 tasks and the merge ran in $((SECONDS - submitted)) s"
scontrol -o show job | awk '{
    line = ""
    for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|ArrayTaskId|JobName|JobState|ExitCode)=/) line = line " " $i
    print substr(line, 2)
}'
jobs="$(scontrol -o show job | grep -c JobState=)"
done_ok="$(scontrol -o show job | grep -c 'JobState=COMPLETED')"
if [ "$jobs" != 17 ] || [ "$done_ok" != 17 ]; then
    echo "error: expected 16 array tasks and the merge, all COMPLETED; $done_ok of $jobs are" >&2
    scontrol -o show job >&2
    exit 1
fi

echo "== a single run of the same study"
PATH="$bin:$PATH" lyncsim run scenarios/year-ee-pair-mirrored.ron --replications "$replications" \
    --out "$work/single" --quiet
merged="$work/shared/results/year-ee-pair-mirrored"
[ -f "$merged/summary.json" ] || { echo "error: the merge wrote no $merged/summary.json" >&2; exit 1; }
diff -r "$work/single/year-ee-pair-mirrored" "$merged"
echo "slurm test passed in ${SECONDS} s: the merged job array ($(ls "$merged" | wc -l) files) equals a single run byte for byte"
