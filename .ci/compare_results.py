"""Compare two results/ trees of the same workflow run two ways (SLURM vs local).

    python .ci/compare_results.py RESULTS_A RESULTS_B

Every file must exist in both trees and hold the same content:
  * TIFF: same shape, dtype and pixel values (tifffile);
  * CSV/TSV: same columns and values (pandas), volatile provenance columns left out;
  * JSON/YAML: same structure and values, volatile provenance fields left out;
  * .pt: same tensors and values (torch.load), volatile provenance fields left out;
  * PNG: same pixels; everything else: same bytes.
Volatile fields are the ones that name where and when a job ran (host, time, platform, device
description), wall-clock timings (seconds, iterations_per_second) and hashes of files that
embed them (model_sha256: the model file itself is compared); the config hash, seeds, code version and package versions are compared.
Logs, benchmarks (timings), Snakemake's own files and the HTML report are skipped.
Exits 1 on any difference, listing each one.
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import Any

VOLATILE_KEYS = {"host", "hostname", "created", "platform", "device", "timestamp", "time"}
# Hashes of files that embed volatile provenance (the files themselves are compared).
VOLATILE_KEYS |= {"model_sha256"}
# Wall-clock timings recorded with a result (training speed), not results themselves.
VOLATILE_KEYS |= {"seconds", "iterations_per_second", "elapsed", "duration", "wall_seconds"}
# Where each copy ran (the two runs are in two folders by design).
VOLATILE_KEYS |= {"workflow_dir", "snakefile_dir"}
SKIPPED_DIRS = {"logs", "benchmarks", ".snakemake"}
SKIPPED_SUFFIXES = {".html", ".log"}


def files(root: Path) -> set[str]:
    out = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_dir() or any(part in SKIPPED_DIRS for part in rel.parts):
            continue
        if path.suffix.lower() in SKIPPED_SUFFIXES:
            continue
        out.add(rel.as_posix())
    return out


def strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list | tuple):
        return [strip_volatile(v) for v in value]
    return value


def diff_values(a: Any, b: Any, where: str = "") -> list[str]:
    """Exact comparison of nested dicts/lists/arrays/tensors/numbers (NaN equals NaN)."""
    import numpy as np

    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if torch is not None and isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    if torch is not None and isinstance(b, torch.Tensor):
        b = b.detach().cpu().numpy()
    if isinstance(a, dict) and isinstance(b, dict):
        problems = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                problems.append(f"{where}/{key}: only in {'B' if key not in a else 'A'}")
            else:
                problems += diff_values(a[key], b[key], f"{where}/{key}")
        return problems
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} != {len(b)}"]
        return [
            p
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for p in diff_values(x, y, f"{where}[{i}]")
        ]
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return [f"{where}: array {a.shape}/{a.dtype} != {b.shape}/{b.dtype}"]
        if not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            n = int(np.sum(a != b))
            return [f"{where}: {n} of {a.size} array values differ"]
        return []
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return []
    if type(a) is not type(b) or a != b:
        return [f"{where}: {a!r} != {b!r}"]
    return []


def compare_file(path_a: Path, path_b: Path) -> list[str]:
    suffix = path_a.suffix.lower()
    if suffix in {".tif", ".tiff"}:
        import tifffile

        return diff_values(tifffile.imread(path_a), tifffile.imread(path_b))
    if suffix in {".csv", ".tsv"}:
        import pandas as pd

        sep = "\t" if suffix == ".tsv" else ","
        frames = []
        for path in (path_a, path_b):
            frame = pd.read_csv(path, sep=sep)
            frames.append(frame.drop(columns=[c for c in frame.columns if c in VOLATILE_KEYS]))
        a, b = frames
        if list(a.columns) != list(b.columns) or a.shape != b.shape:
            return [f"columns/shape {list(a.columns)} {a.shape} != {list(b.columns)} {b.shape}"]
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as error:
            return [str(error).replace("\n", " ")[:400]]
        return []
    if suffix == ".json":
        a, b = (strip_volatile(json.loads(p.read_text())) for p in (path_a, path_b))
        return diff_values(a, b)
    if suffix in {".yaml", ".yml"}:
        import yaml

        a, b = (strip_volatile(yaml.safe_load(p.read_text())) for p in (path_a, path_b))
        return diff_values(a, b)
    if suffix == ".pt":
        import torch

        a, b = (
            strip_volatile(
                torch.load(io.BytesIO(p.read_bytes()), map_location="cpu", weights_only=False)
            )
            for p in (path_a, path_b)
        )
        return diff_values(a, b)
    if path_a.read_bytes() == path_b.read_bytes():
        return []
    if suffix == ".png":
        import matplotlib.image as mpimg

        return diff_values(mpimg.imread(path_a), mpimg.imread(path_b))
    return ["bytes differ"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root_a, root_b = (Path(p) for p in argv)
    files_a, files_b = files(root_a), files(root_b)
    problems = [f"{f}: only in {root_a}" for f in sorted(files_a - files_b)]
    problems += [f"{f}: only in {root_b}" for f in sorted(files_b - files_a)]
    common = sorted(files_a & files_b)
    kinds: dict[str, int] = {}
    for rel in common:
        kinds[Path(rel).suffix.lower() or "(none)"] = (
            kinds.get(Path(rel).suffix.lower() or "(none)", 0) + 1
        )
        problems += [f"{rel}: {p}" for p in compare_file(root_a / rel, root_b / rel)]
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    if problems:
        print(f"compare_results: {len(problems)} difference(s) between {root_a} and {root_b}:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    if not common:
        print(f"compare_results: no files to compare under {root_a}")
        return 1
    print(f"compare_results: {len(common)} files identical ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
