#!/usr/bin/env bash
# End-to-end check of the SLURM profile on a real (single-node) SLURM: the reduced CI
# configuration runs once with `snakemake --profile slurm` and once locally with `--cores 2`, each
# in its own fresh copy of the tree, and the results must be identical. Then the paper
# configuration is dry-run with the profile to show which rules request a GPU.
#
#   bash .ci/setup-slurm.sh && bash .ci/slurm-e2e.sh
#
# Needs: the SLURM of .ci/setup-slurm.sh running; `snakemake` and the cellbench package on PATH
# (the active virtual environment; SLURM jobs inherit it through sbatch --export=ALL).
# Environment (all optional):
#   SLURM_E2E_CONFIG        reduced configuration (default config/ci-slurm.yaml)
#   SLURM_E2E_STATUS_DELAY  seconds between job status checks (default 5; the profile's 40 s
#                           suits a real cluster, not a CI run of short jobs)
#   SLURM_E2E_WORKDIR       where the two copies go (default: a new directory under /tmp)
#   SLURM_E2E_TARGETS       targets to build (default: the evaluations of otsu_watershed on
#                           synth-dsb and of cellulus on synth-ctc: CPU and GPU rules)
#   SLURM_E2E_SKIP_PAPER    1: skip the dry run of config/paper.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
CONFIG=${SLURM_E2E_CONFIG:-config/ci-slurm.yaml}
STATUS_DELAY=${SLURM_E2E_STATUS_DELAY:-5}
WORK=${SLURM_E2E_WORKDIR:-$(mktemp -d /tmp/cellbench-slurm-e2e.XXXXXX)}
JOBCOMP=/var/log/slurm/jobcomp.log
# Figures embed a creation date unless SOURCE_DATE_EPOCH is set; both runs get the same one.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
# One thread per OpenMP/BLAS pool in both runs (SLURM jobs inherit it): floating-point
# reductions must not depend on how many CPUs a job was given.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

start_s=$(date +%s)
log() { printf '[slurm-e2e %4ss] %s\n' "$(($(date +%s) - start_s))" "$*"; }
die() { printf '[slurm-e2e] ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v sinfo >/dev/null || ! sinfo -h >/dev/null 2>&1; then
  die "no SLURM answers here: run 'bash .ci/setup-slurm.sh' first (as root)"
fi
command -v snakemake >/dev/null || die "snakemake not on PATH: activate the project's environment"
python -c "import cellbench" 2>/dev/null || die "cellbench not importable: pip install -e . first"
[ -f "$CONFIG" ] || die "configuration $CONFIG not found"
[ -f slurm/config.yaml ] || die "profile slurm/config.yaml not found"

if [ -n "${SLURM_E2E_TARGETS:-}" ]; then
  read -r -d '' -a TARGETS <<<"$SLURM_E2E_TARGETS" || true
else
  TARGETS=(results/evaluation/otsu_watershed/synth-dsb/default/summary.json)
  # The cellulus chain (train, select, predict) is what exercises the gpu partition.
  if snakemake --list-rules 2>/dev/null | grep -qx cellulus_predict; then
    TARGETS+=(results/evaluation/cellulus/synth-ctc/seed0/summary.json)
  else
    echo "[slurm-e2e] WARNING: no cellulus rules in the workflow: no GPU rule is exercised" >&2
  fi
fi

# --- two fresh copies of the tree (what a clone holds) ----------------------------------------
copy_tree() { # destination
  mkdir -p "$1"
  if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$REPO" ls-files -z --cached --others --exclude-standard \
      | (cd "$REPO" && tar --null -T - -cf -) | tar -xf - -C "$1"
  else
    tar -C "$REPO" --exclude=./results --exclude=./.snakemake --exclude=./.venv -cf - . | tar -xf - -C "$1"
  fi
  rm -rf "$1/.snakemake"
}
rm -rf "$WORK/slurm" "$WORK/local"
copy_tree "$WORK/slurm"
copy_tree "$WORK/local"
log "copies in $WORK/{slurm,local}; configuration $CONFIG"

# --- the two runs, side by side (the SLURM one mostly waits on status checks) ----------------
(cd "$WORK/local" && snakemake "${TARGETS[@]}" --cores 2 --configfile "$CONFIG" >"$WORK/local.log" 2>&1) &
local_pid=$!
slurm_start=$(date +%s)
set +e
(cd "$WORK/slurm" && snakemake "${TARGETS[@]}" --profile slurm --configfile "$CONFIG" \
  --slurm-init-seconds-before-status-checks "$STATUS_DELAY" --slurm-keep-successful-logs \
  >"$WORK/slurm.log" 2>&1)
slurm_rc=$?
slurm_s=$(($(date +%s) - slurm_start))
wait "$local_pid"
local_rc=$?
set -e
if [ "$slurm_rc" -ne 0 ]; then
  tail -n 60 "$WORK/slurm.log"
  die "snakemake --profile slurm failed (exit $slurm_rc); full log $WORK/slurm.log, SLURM logs in $WORK/slurm/.snakemake/slurm_logs/"
fi
if [ "$local_rc" -ne 0 ]; then
  tail -n 60 "$WORK/local.log"
  die "local run failed (exit $local_rc); full log $WORK/local.log"
fi
log "snakemake --profile slurm finished in ${slurm_s} s; local run finished"

# --- the SLURM jobs: real ids, all completed, each in the partition matching its GPU request --
python .ci/slurm_jobs.py jobs "$WORK/slurm.log" "$JOBCOMP" \
  || die "SLURM job check failed (log $WORK/slurm.log, job records $JOBCOMP)"

# --- identical outputs -----------------------------------------------------------------------
python .ci/compare_results.py "$WORK/slurm/results" "$WORK/local/results" \
  || die "the SLURM run's results differ from the local run's"

# --- a second run submits nothing ------------------------------------------------------------
(cd "$WORK/slurm" && snakemake "${TARGETS[@]}" --profile slurm --configfile "$CONFIG" -n >"$WORK/slurm-rerun.log" 2>&1) \
  || die "dry run after the SLURM run failed: $WORK/slurm-rerun.log"
grep -q "Nothing to be done" "$WORK/slurm-rerun.log" \
  || { tail -n 30 "$WORK/slurm-rerun.log"; die "a second SLURM run would resubmit jobs"; }
log "second run: nothing to be done"

# --- paper configuration: which rules request a GPU ------------------------------------------
if [ "${SLURM_E2E_SKIP_PAPER:-0}" != 1 ] && [ -f config/paper.yaml ]; then
  (cd "$WORK/slurm" && snakemake --profile slurm --configfile config/paper.yaml -n \
    >"$WORK/paper-dryrun.log" 2>&1) \
    || { tail -n 30 "$WORK/paper-dryrun.log"; die "dry run of config/paper.yaml with the profile failed"; }
  log "snakemake --profile slurm -n --configfile config/paper.yaml: GPU requests per rule"
  python .ci/slurm_jobs.py gpu "$WORK/paper-dryrun.log" || die "a CPU-only rule requests a GPU"
fi
log "SLURM end-to-end check passed in $(($(date +%s) - start_s)) s"
