"""Read a Snakemake log of a `--profile slurm` run (or dry run) for .ci/slurm-e2e.sh.

    python .ci/slurm_jobs.py jobs LOG JOBCOMP   # SLURM jobs of a run: id, rule, partition, state
    python .ci/slurm_jobs.py gpu LOG            # rules of a (dry) run and whether they request a GPU

`jobs` fails unless every submitted job completed in SLURM (jobcomp record) and every job ran in
the partition matching its GPU request (`gpu` for rules requesting one, `cpu` otherwise).
`gpu` fails if a rule that only reads results (evaluation, tables, figures, report, data
preparation) requests a GPU.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Rules that never need a GPU, by name, except the listed ones, which train networks although
# they make a figure or table (same lists as tests/unit/test_slurm_profile.py).
CPU_ONLY = re.compile(
    r"(^|_)(evaluate|table\w*|fig\w*|figure\w*|overview\w*|report|synth\w*|prepare\w*|download\w*|all)$"
)
TRAINS_NETWORKS = {"cellulus_fig5"}


def rule_resources(log: str) -> dict[str, str]:
    """rule name -> its resources line, from the job blocks Snakemake prints."""
    rules = {}
    for match in re.finditer(
        r"^(?:local)?(?:rule|checkpoint) (\w+):\n((?:[ \t]+.*\n)+)", log, re.MULTILINE
    ):
        resources = re.search(r"^\s+resources: (.*)$", match.group(2), re.MULTILINE)
        rules.setdefault(match.group(1), resources.group(1) if resources else "")
    return rules


def requests_gpu(resources: str) -> bool:
    gpu = re.search(r"(?:^|, )gpu=(\d+)", resources)
    gres = re.search(r"(?:^|, )gres=\S*gpu", resources)
    return bool((gpu and int(gpu.group(1)) > 0) or gres)


def jobs(log_path: str, jobcomp_path: str) -> int:
    log = Path(log_path).read_text()
    gpu_rules = {rule for rule, res in rule_resources(log).items() if requests_gpu(res)}
    submitted = re.findall(r"submitted with SLURM jobid (\d+) \(log: \S*/rule_(\w+?)/", log)
    records = {}
    for line in Path(jobcomp_path).read_text().splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        if "JobId" in fields:
            records[fields["JobId"]] = fields
    problems = []
    print(f"{'jobid':>6}  {'partition':9}  {'state':10}  {'exit':5}  rule")
    for jobid, rule in submitted:
        record = records.get(jobid, {})
        partition, state = record.get("Partition", "?"), record.get("JobState", "?")
        print(f"{jobid:>6}  {partition:9}  {state:10}  {record.get('ExitCode', '?'):5}  {rule}")
        if state != "COMPLETED":
            problems.append(f"job {jobid} ({rule}) is {state!r} in SLURM's job record")
        expected = "gpu" if rule in gpu_rules else "cpu"
        if partition != expected:
            problems.append(
                f"job {jobid} ({rule}) ran in partition {partition!r}, expected {expected!r}"
            )
    if not submitted:
        problems.append("no SLURM job ids in the log: nothing was submitted to SLURM")
    print(f"{len(submitted)} SLURM jobs, ids {', '.join(j for j, _ in submitted)}")
    for problem in problems:
        print(f"ERROR: {problem}")
    return 1 if problems else 0


def gpu(log_path: str) -> int:
    rules = rule_resources(Path(log_path).read_text())
    if not rules:
        print("ERROR: no jobs found in the dry-run log")
        return 1
    problems = []
    for rule in sorted(rules):
        wants = requests_gpu(rules[rule])
        print(f"  {'GPU' if wants else 'cpu'}  {rule}")
        if wants and CPU_ONLY.search(rule) and rule not in TRAINS_NETWORKS:
            problems.append(f"rule {rule} requests a GPU but only reads results")
    print(f"{sum(requests_gpu(r) for r in rules.values())} of {len(rules)} rules request a GPU")
    for problem in problems:
        print(f"ERROR: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "jobs":
        sys.exit(jobs(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "gpu":
        sys.exit(gpu(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
