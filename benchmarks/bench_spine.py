"""Spine benchmark: dry-run time of the default config, the otsu_watershed spine end to end, and
where the time of a whole run goes.

Targets: dry run of the default config < 5 s and synthetic data + otsu_watershed + shared
evaluation on every synthetic dataset <= 3 min wall on 2 cores (issue 2); the whole default
configuration, every method and the benchmark matrix, <= 15 min wall on 2 cores (issue 16). Runs
in a temporary copy of the working tree, so the repository's own results/ is untouched.

    python benchmarks/bench_spine.py [--cores 2]           # dry run + spine
    python benchmarks/bench_spine.py --full [--cores 2]    # whole default run + time breakdown
    python benchmarks/bench_spine.py --breakdown-only results/   # breakdown of a finished run

The breakdown reads Snakemake's benchmark files (``results/benchmarks/<rule>/**.tsv``, one per
job of every rule with a ``benchmark:`` directive): per rule the jobs, the summed and the longest
job wall time and its share of all benchmarked job time. The end-to-end wall time is measured
(``--full``) or read from ``.snakemake/metadata`` beside the results folder (first job start to
last job end), which also gives the job time of rules without benchmark files.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from cellbench.provenance import cpu_description

REPO = Path(__file__).resolve().parents[1]


def copy_tree(destination: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def benchmark_times(results: Path) -> pd.DataFrame:
    """One row per job with a benchmark file: rule (the folder or file name under
    ``results/benchmarks``) and wall seconds (mean over repeats when a rule repeats)."""
    root = results / "benchmarks"
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        seconds = pd.read_csv(path, sep="\t")["s"].mean()
        rows.append({"rule": path.relative_to(root).parts[0].removesuffix(".tsv"), "s": seconds})
    return pd.DataFrame(rows, columns=["rule", "s"])


def metadata_jobs(results: Path) -> pd.DataFrame:
    """One row per job recorded in ``.snakemake/metadata`` beside ``results`` whose outputs lie
    under it: rule, start, end (empty when there is no metadata)."""
    folder = results.resolve().parent / ".snakemake" / "metadata"
    jobs = {}
    for path in folder.glob("*") if folder.is_dir() else []:
        try:
            output = base64.b64decode(path.name.replace("@", "/")).decode()
            record = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if not output.startswith(f"{results.name}/") or record.get("starttime") is None:
            continue
        # One record per output file; a job's outputs share its end time.
        key = (record["rule"], record.get("job_hash"), record["endtime"])
        start = min(record["starttime"], jobs.get(key, {}).get("start", record["starttime"]))
        jobs[key] = {"rule": record["rule"], "start": start, "end": record["endtime"]}
    return pd.DataFrame(list(jobs.values()), columns=["rule", "start", "end"])


def per_rule(times: pd.DataFrame) -> pd.DataFrame:
    """jobs, sum and max of the wall seconds per rule, share of the total; longest first."""
    table = times.groupby("rule")["s"].agg(jobs="size", sum="sum", max="max")
    table["share"] = table["sum"] / table["sum"].sum()
    return table.sort_values("sum", ascending=False, kind="stable")


def cpu_summary(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """This machine's CPU model, its widest x86 vector extension and CPU count."""
    return f"{cpu_description(cpuinfo)}, {os.cpu_count()} CPUs"


def print_breakdown(results: Path, wall: float | None = None) -> None:
    """Print the per-rule breakdown of a finished run in ``results`` and its end-to-end time."""
    times = benchmark_times(results)
    if times.empty:
        raise SystemExit(f"{results}: no benchmark files under {results / 'benchmarks'}")
    table = per_rule(times)
    print(f"per-rule wall time from {len(times)} benchmark files under {results / 'benchmarks'}")
    print(f"{'rule':<28} {'jobs':>5} {'sum [s]':>9} {'max [s]':>9} {'share':>7}")
    for rule, row in table.iterrows():
        print(
            f"{rule:<28} {row['jobs']:>5.0f} {row['sum']:>9.1f} {row['max']:>9.1f} "
            f"{row['share']:>7.1%}"
        )
    print(f"{'total (benchmarked jobs)':<28} {len(times):>5} {table['sum'].sum():>9.1f}")
    jobs = metadata_jobs(results)
    unbenchmarked = jobs[~jobs["rule"].isin(table.index)]
    if len(unbenchmarked):
        other = (unbenchmarked["end"] - unbenchmarked["start"]).groupby(unbenchmarked["rule"])
        top = other.sum().sort_values(ascending=False)
        print(
            f"rules without a benchmark file (.snakemake/metadata): {len(unbenchmarked)} jobs, "
            f"{top.sum():.1f} s; longest: "
            + ", ".join(f"{rule} {seconds:.1f} s" for rule, seconds in top.head(5).items())
        )
    if wall is None and len(jobs):
        wall = jobs["end"].max() - jobs["start"].min()
        source = "first job start to last job end in .snakemake/metadata"
    else:
        source = "measured"
    if wall is None:
        print("end-to-end wall time: unknown (no .snakemake/metadata beside the results folder)")
    else:
        print(
            f"end-to-end wall time: {wall:.1f} s = {wall / 60:.1f} min ({source}; "
            "target <= 15 min on 2 cores)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="run the whole default configuration")
    mode.add_argument(
        "--breakdown-only", type=Path, metavar="RESULTS", help="breakdown of a finished run"
    )
    args = parser.parse_args()
    if args.breakdown_only:
        print_breakdown(args.breakdown_only)
        return
    snakemake = shutil.which("snakemake") or "snakemake"
    print(f"machine: {cpu_summary()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_tree(work)
        if args.full:
            wall = timed([snakemake, "--cores", str(args.cores)], work)
            print_breakdown(work / "results", wall)
            return
        dry = [timed([snakemake, "-n", "-q"], work) for _ in range(3)]
        print(f"dry run, default config: median {statistics.median(dry):.2f} s (target < 5 s)")
        config = yaml.safe_load((work / "config" / "config.yaml").read_text())
        datasets = config["methods"]["otsu_watershed"]["datasets"]
        targets = [f"results/evaluation/otsu_watershed/{d}/default/summary.json" for d in datasets]
        wall = timed([snakemake, "--cores", str(args.cores), *targets], work)
        print(
            f"spine (synthetic data + otsu_watershed + evaluation, {len(datasets)} datasets, "
            f"{args.cores} cores): {wall:.1f} s (target <= 180 s)"
        )


if __name__ == "__main__":
    main()
