"""Benchmark of the jobs' glibc malloc settings (cellbench.workflow.MALLOC_TUNING): a default-config
cellulus training (16 feature maps, 8 x 124² crops) in a fresh process, with glibc's defaults and
with the settings the Snakefile gives every job, in turn; user, system and wall seconds (median),
the ratio of the medians, and whether both trained the same weights (they must: only where freed
memory goes changes).

Usage: python benchmarks/bench_malloc.py [--runs 3] [--iterations 48] [--threads 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import time

from cellbench.workflow import MALLOC_TUNING


def child(iterations: int, threads: int) -> None:
    """One training; prints the digest of the trained weights."""
    import torch
    from bench_cellulus import synthetic_image

    from cellbench.methods.cellulus.config import CellulusConfig
    from cellbench.methods.cellulus.data import normalise
    from cellbench.methods.cellulus.train import train_model

    torch.set_num_threads(threads)
    config = CellulusConfig(
        num_fmaps=16,
        crop_size=124,
        batch_size=8,
        epochs=1,
        iterations_per_epoch=iterations,
        lr_milestones=[],
    )
    images = [normalise(synthetic_image(seed=s)) for s in range(2)]
    model, _ = train_model(images, config, seed=0, device=torch.device("cpu"))
    digest = hashlib.sha256()
    for tensor in model.state_dict().values():
        digest.update(tensor.numpy().tobytes())
    print(digest.hexdigest())


def timed_run(env: dict[str, str], args: argparse.Namespace) -> tuple[float, float, float, str]:
    """(user, system, wall) seconds of one child process and its weights' digest."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            f"--iterations={args.iterations}",
            f"--threads={args.threads}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    digest = done.stdout.split()[-1]
    return after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, wall, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=48)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.iterations, args.threads)
        return
    plain = {k: v for k, v in os.environ.items() if k not in MALLOC_TUNING}
    variants = {"glibc defaults": plain, "MALLOC_TUNING": {**plain, **MALLOC_TUNING}}
    results: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in variants}
    timed_run(plain, args)  # warm-up: file cache, not counted
    for _ in range(args.runs):
        for name, env in variants.items():
            results[name].append(timed_run(env, args))
    print(
        f"cellulus training, {args.iterations} iterations, {args.threads} thread(s), "
        f"{args.runs} runs each, alternating; medians:"
    )
    medians = {}
    for name, runs in results.items():
        user, system, wall = (statistics.median(run[k] for run in runs) for k in range(3))
        medians[name] = wall
        print(f"  {name:15s} user {user:6.2f} s  sys {system:5.2f} s  wall {wall:6.2f} s")
    print(
        f"  wall ratio tuned / defaults: {medians['MALLOC_TUNING'] / medians['glibc defaults']:.3f}"
    )
    digests = {run[3] for runs in results.values() for run in runs}
    print(f"  same trained weights in every run: {len(digests) == 1}")


if __name__ == "__main__":
    main()
