"""Spine benchmark: dry-run time of the default config and the otsu_watershed spine end to end.

Targets (issue 2): dry run of the default config < 5 s; synthetic data + otsu_watershed + shared
evaluation on every synthetic dataset <= 3 min wall on 2 cores. Runs in a temporary copy of the
working tree, so the repository's own results/ is untouched.

    python benchmarks/bench_spine.py [--cores 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    snakemake = shutil.which("snakemake") or "snakemake"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_tree(work)
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
