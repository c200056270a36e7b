#!/usr/bin/env bash
# Install, configure and start a single-node SLURM cluster for CI (and for trying the profile).
#
# Runs as root on Debian 12 without systemd (containers, CI runners). Idempotent: a second run
# with the cluster up and the configuration unchanged only checks that the node is usable.
#
#   bash .ci/setup-slurm.sh            # install + configure + start + self-test
#   SLURM_SETUP_TIMEOUT=120 bash .ci/setup-slurm.sh
#
# What it sets up (see docs/cluster.md, "What CI does"):
#   * munge (authentication): key, /run/munge, munged started as the munge user;
#   * slurmctld + slurmd on this host, no slurmdbd (no accounting: the profile checks job states
#     with squeue, so MinJobAge is set far above 3x the plugin's initial status delay);
#   * no cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/affinity;
#   * partitions `cpu` (default) and `gpu`; the node advertises Gres=gpu:1 backed by /dev/null in
#     gres.conf, so `--gpus=1` requests are schedulable (the jobs still run on the CPU);
#   * every finished job is recorded in /var/log/slurm/jobcomp.log (id, name, partition, state).
#
# Environment (all optional):
#   SLURM_SETUP_TIMEOUT  seconds to wait for the node to become idle (default 60)
#   SLURM_NODE_MEMORY_MB memory the node advertises (default: max(real memory, 65536)); memory is
#                        not enforced without cgroups, so the profile's real-cluster requests fit.
#   SLURM_NODE_CPUS      CPUs the node advertises (default: the real count from `slurmd -C`)
set -euo pipefail

TIMEOUT=${SLURM_SETUP_TIMEOUT:-60}
CONF_DIR=/etc/slurm
LOG_DIR=/var/log/slurm
STATE_DIR=/var/lib/slurm
JOBCOMP_LOG=$LOG_DIR/jobcomp.log
# MinJobAge must exceed 3x the plugin's initial status delay (init-seconds-before-status-checks,
# 40 s by default) for squeue-based status checks: finished jobs stay visible this long.
MIN_JOB_AGE=600

start_s=$(date +%s)
log() { printf '[setup-slurm %3ss] %s\n' "$(($(date +%s) - start_s))" "$*"; }
die() {
  printf '[setup-slurm] ERROR: %s\n' "$*" >&2
  for f in "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" /var/log/munge/munged.log; do
    if [ -f "$f" ]; then
      printf '\n--- last lines of %s ---\n' "$f" >&2
      tail -n 25 "$f" >&2 || true
    fi
  done
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"
export PATH="/usr/sbin:/sbin:$PATH"

# --- 1. packages ---------------------------------------------------------------------------
missing=()
for pair in munge:munged slurmctld:slurmctld slurmd:slurmd slurm-client:sinfo; do
  command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian 12"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d: keep the packages' init scripts from starting daemons with the default config
  # (only if the machine has none of its own; ours is removed again afterwards).
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends munge slurmctld slurmd slurm-client >/dev/null
  if [ "$own_policy" -eq 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
else
  log "packages already installed ($(slurmctld -V))"
fi

# --- 2. munge --------------------------------------------------------------------------------
install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
install -d -o munge -g munge -m 0711 /var/lib/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  log "creating munge key"
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile=/etc/munge/munge.key --force
  else
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged already running"
else
  if [ -f /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    sleep 1
  fi
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  log "starting munged as user munge"
  runuser -u munge -- /usr/sbin/munged || die "munged failed to start"
  for _ in $(seq 1 20); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.25
  done
  munge -n | unmunge >/dev/null || die "munge credential round trip failed"
fi

# --- 3. configuration ------------------------------------------------------------------------
host=$(hostname -s)
node_line=$(slurmd -C | head -n 1) # NodeName=... CPUs=... Boards=... RealMemory=...
real_cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
real_mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
if [ -z "$real_cpus" ] || [ -z "$real_mem" ]; then
  die "could not parse 'slurmd -C': $node_line"
fi
cpus=${SLURM_NODE_CPUS:-$real_cpus}
mem=${SLURM_NODE_MEMORY_MB:-$((real_mem > 65536 ? real_mem : 65536))}

install -d -m 0755 "$CONF_DIR" "$STATE_DIR"
install -d -o slurm -g slurm -m 0755 "$LOG_DIR" "$STATE_DIR/slurmctld"
install -d -m 0755 "$STATE_DIR/slurmd"
touch "$JOBCOMP_LOG" && chown slurm:slurm "$JOBCOMP_LOG"

new_conf=$(mktemp)
new_gres=$(mktemp)
cat >"$new_conf" <<EOF
# Single-node CI cluster written by .ci/setup-slurm.sh (cellbench). Do not edit: rerun the script.
ClusterName=cellbench-ci
SlurmctldHost=${host}(127.0.0.1)
AuthType=auth/munge
CryptoType=crypto/munge
SlurmUser=slurm
SlurmdUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (containers without systemd): plain process tracking and CPU affinity.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
# Trust the node definition below (advertised memory may exceed the real one; not enforced).
SlurmdParameters=config_overrides
ReturnToService=2
# No slurmdbd: squeue answers status queries; finished jobs stay visible for MinJobAge seconds.
AccountingStorageType=accounting_storage/none
MinJobAge=$MIN_JOB_AGE
# A record of every finished job (id, name, partition, state, exit code) without a database.
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP_LOG
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem Gres=gpu:1 State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$host Default=NO MaxTime=INFINITE State=UP
EOF
cat >"$new_gres" <<EOF
# One schedulable "GPU" backed by /dev/null (written by .ci/setup-slurm.sh): GPU requests are
# accepted and scheduled, the jobs run on the CPU.
NodeName=$host Name=gpu File=/dev/null
EOF

changed=0
for pair in "$new_conf:$CONF_DIR/slurm.conf" "$new_gres:$CONF_DIR/gres.conf"; do
  src=${pair%%:*} dst=${pair#*:}
  if ! cmp -s "$src" "$dst"; then
    install -m 0644 "$src" "$dst"
    changed=1
  fi
done
rm -f "$new_conf" "$new_gres"
# cgroup.conf from a previous setup would be read by nothing here, but keep the tree clean.
log "configuration: node $host, $cpus CPUs, ${mem} MB, Gres=gpu:1, partitions cpu (default) + gpu$([ "$changed" -eq 1 ] && echo ' (written)')"

# --- 4. daemons ------------------------------------------------------------------------------
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop() { # pidfile
  if running "$1"; then
    local pid
    pid=$(cat "$1")
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$1"
}
if [ "$changed" -eq 1 ]; then
  stop /run/slurmd.pid
  stop /run/slurmctld.pid
fi
if ! running /run/slurmctld.pid; then
  log "starting slurmctld"
  slurmctld || die "slurmctld failed to start"
fi
if ! running /run/slurmd.pid; then
  log "starting slurmd"
  slurmd || die "slurmd failed to start"
fi

# --- 5. wait for the node --------------------------------------------------------------------
state=""
deadline=$(($(date +%s) + TIMEOUT))
while :; do
  state=$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null | head -n 1 || true)
  case "$state" in
    idle | mixed | allocated | completing) break ;;
    down* | drain*)
      # e.g. "Node unexpectedly rebooted" after a restart of the daemons
      scontrol update nodename="$host" state=resume 2>/dev/null || true
      ;;
  esac
  [ "$(date +%s)" -lt "$deadline" ] || die "node $host not idle after ${TIMEOUT}s (state: '${state:-no answer from slurmctld}')"
  sleep 0.5
done
log "node $host is $state"
sinfo -o '%P %a %D %T %c %m %G' | sed 's/^/  /'

# --- 6. self-test: one CPU job, one GPU job --------------------------------------------------
srun -p cpu -n 1 -t 1 true || die "test job in partition cpu failed"
gres_env=$(srun -p gpu --gpus=1 -n 1 -t 1 printenv CUDA_VISIBLE_DEVICES || true)
[ -n "$gres_env" ] || die "test job requesting --gpus=1 in partition gpu failed"
log "self-test passed (cpu job; gpu job saw CUDA_VISIBLE_DEVICES=$gres_env)"
log "SLURM ready in $(($(date +%s) - start_s)) s"
