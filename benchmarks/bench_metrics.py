"""Benchmark: cellbench matching + F1 + CTC SEG against ``stardist.matching.matching_dataset``.

Deterministic synthetic pairs of dense label images (~``objects`` touching cells per image;
the prediction has jittered boundaries, permuted non-consecutive labels, dropped and split
cells). Asserts identical TP/FP/FN at IoU ≥ 0.5 and prints the speed ratio (stardist time /
cellbench time) as the last line. Exits 2 if stardist is not importable.

    python benchmarks/bench_metrics.py [--pairs 20 --size 1024 --objects 1000 --repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from skimage.segmentation import expand_labels

from cellbench.metrics import ctc_seg, dataset_scores, image_scores, matching_dataset


def synthetic_pair(
    size: int, objects: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A GT label image of ~``objects`` cells and a perturbed prediction of it."""
    reach = max(2, int(0.6 * size / np.sqrt(objects)))
    centres = rng.integers(0, size, (objects, 2))
    seeds = np.zeros((size, size), np.int32)
    seeds[centres[:, 0], centres[:, 1]] = np.arange(1, objects + 1)
    gt = expand_labels(seeds, reach)
    jitter = np.clip(centres + rng.integers(-2, 3, centres.shape), 0, size - 1)
    pred_seeds = np.zeros_like(seeds)
    keep = rng.random(objects) > 0.05  # 5% of the cells are missed
    pred_seeds[jitter[keep, 0], jitter[keep, 1]] = np.flatnonzero(keep) + 1
    pred = expand_labels(pred_seeds, reach + int(rng.integers(-1, 2)))
    split = rng.random(objects + 1) < 0.05  # 5% of the cells are split in two
    half = split[pred] & ((np.arange(size)[None, :] % 2) == 0)
    pred = np.where(half, pred + objects + 1, pred)
    relabel = rng.permutation(np.arange(1, 2 * objects + 2)) * 3  # non-consecutive labels
    pred = np.where(pred > 0, relabel[pred - 1], 0).astype(np.uint32)
    return gt.astype(np.uint16), pred


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many timings")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        from stardist.matching import matching_dataset as stardist_matching_dataset
    except ImportError:
        print("stardist is not installed: pip install stardist==0.9.2", file=sys.stderr)
        return 2

    rng = np.random.default_rng(args.seed)
    pairs = [synthetic_pair(args.size, args.objects, rng) for _ in range(args.pairs)]
    gts, preds = [g for g, _ in pairs], [p for _, p in pairs]
    n_gt = sum(len(np.unique(g)) - 1 for g in gts)
    print(
        f"{args.pairs} pairs of {args.size}² label images, {n_gt / args.pairs:.0f} GT objects each"
    )

    def ours() -> dict[str, float | int]:
        # The shared evaluation: one overlap per image gives F1 counts, SEG and the rest.
        return dataset_scores([image_scores(g, p) for g, p in zip(gts, preds, strict=True)])

    def ours_separate() -> tuple[object, float]:
        return matching_dataset(gts, preds, thresh=0.5), ctc_seg(gts, preds)

    def reference() -> object:
        return stardist_matching_dataset(gts, preds, thresh=0.5, show_progress=False)

    reference()  # numba compilation outside the timing
    t_ours, t_sep, t_ref = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        scores = ours()
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        m, seg = ours_separate()
        t_sep.append(time.perf_counter() - start)
        start = time.perf_counter()
        ref = reference()
        t_ref.append(time.perf_counter() - start)
    counts, ref_counts = (scores["tp"], scores["fp"], scores["fn"]), (ref.tp, ref.fp, ref.fn)
    assert counts == ref_counts, f"TP/FP/FN differ: cellbench {counts}, stardist {ref_counts}"
    assert (m.tp, m.fp, m.fn) == ref_counts, f"matching_dataset differs: {m}"
    assert abs(scores["f1"] - ref.f1) < 1e-12 and abs(m.f1 - ref.f1) < 1e-12, (m.f1, ref.f1)
    assert abs(scores["seg"] - seg) < 1e-12, (scores["seg"], seg)
    print(f"TP/FP/FN {counts} identical; F1 {scores['f1']:.6f}; SEG {scores['seg']:.6f}")
    print(f"cellbench matching_dataset + ctc_seg (two passes): {min(t_sep):.3f} s")
    print(f"cellbench image_scores + dataset_scores (all metrics, one pass): {min(t_ours):.3f} s")
    print(f"stardist matching_dataset (matching + F1 only): {min(t_ref):.3f} s")
    print(f"timings: best of {args.repeat}")
    print(f"speed ratio (stardist / cellbench): {min(t_ref) / min(t_ours):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
