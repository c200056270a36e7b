"""benchmarks/bench_spine.py: per-rule breakdown from benchmark files and Snakemake metadata."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.conftest import load_benchmark

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


@pytest.fixture(scope="module")
def bench_spine():
    return load_benchmark("bench_spine")


def run_folder(root: Path) -> Path:
    """A finished run: three benchmark files of two rules, metadata of three jobs."""
    results = root / "results"
    for name, seconds in (("train/a/s0.tsv", 8.0), ("train/b/s1.tsv", 2.0), ("fig.tsv", 12.0)):
        path = results / "benchmarks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + f"{seconds}\t0:00:08\t1\t1\t1\t1\t0\t0\t50\t{seconds}\n")
    metadata = root / ".snakemake" / "metadata"
    metadata.mkdir(parents=True)
    records = [
        ("results/evaluation/x/summary.json", "evaluate", 1, 100.0, 103.0),
        ("results/evaluation/x/per_image.csv", "evaluate", 1, 100.5, 103.0),  # same job
        ("results/models/a", "train", 2, 90.0, 98.0),
        ("other/outside.txt", "elsewhere", 3, 0.0, 500.0),  # not under results/: ignored
    ]
    for output, rule, job, start, end in records:
        name = base64.b64encode(output.encode()).decode().replace("/", "@")
        record = {"rule": rule, "job_hash": job, "starttime": start, "endtime": end}
        (metadata / name).write_text(json.dumps(record))
    return results


def test_per_rule_sum_max_and_share(bench_spine, tmp_path: Path) -> None:
    table = bench_spine.per_rule(bench_spine.benchmark_times(run_folder(tmp_path)))
    assert table.index.tolist() == ["fig", "train"]  # longest first
    assert table.loc["train"].tolist() == pytest.approx([2, 10.0, 8.0, 10 / 22])
    assert table.loc["fig"].tolist() == pytest.approx([1, 12.0, 12.0, 12 / 22])


def test_metadata_jobs_are_deduplicated_and_wall_time_printed(
    bench_spine, tmp_path: Path, capsys
) -> None:
    results = run_folder(tmp_path)
    jobs = bench_spine.metadata_jobs(results)
    assert sorted(jobs["rule"]) == ["evaluate", "train"]
    assert jobs.set_index("rule").loc["evaluate"].tolist() == [100.0, 103.0]
    bench_spine.print_breakdown(results)
    out = capsys.readouterr().out
    assert "rules without a benchmark file (.snakemake/metadata): 1 jobs, 3.0 s" in out
    assert "end-to-end wall time: 13.0 s" in out  # 90 (first start) to 103 (last end)


def test_cpu_summary_adds_the_cpu_count(bench_spine, tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: Xeon\nflags\t: avx avx2 avx512f\n")
    assert bench_spine.cpu_summary(cpuinfo) == f"Xeon, avx512f, {os.cpu_count()} CPUs"
