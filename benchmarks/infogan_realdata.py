"""Real-data check of infogan's nuclei segmentation (paper 002, Sec. III-B1) beside otsu_watershed.

MoNuSeg, prepared (``cellbench prepare monuseg --source ... --out DIR``): IoU and F-score with
the |I ∩ G| > 0.5·|G| rule (paper: 0.56 / 0.70 on its dataset C) and object counts.
otsu_watershed is fitted as on main (radius, grey channel, threshold rule) leave-one-image-out:
on the other images of the folder, never the scored one. Dataset A (BM_GRAZ, ``source/*.png``
+ ``annotations/*.txt`` nucleus dots): object count vs dots and dot detection P/R/F (one dot
per object); it has no masks, so otsu_watershed is the model fitted on all MoNuSeg images.

    python benchmarks/infogan_realdata.py --monuseg /tmp/monuseg-prepared \
        --marrow ../shared/devdata/marrow-a
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.data.layout import PreparedDataset
from cellbench.io import read_image
from cellbench.methods.infogan.config import SegmentationConfig
from cellbench.methods.infogan.nuclei import NucleiSegmenter
from cellbench.methods.otsu_watershed import fit_model
from cellbench.metrics.nuclei import dot_detection, nuclei_pixel_scores


def read_dots(path: Path) -> np.ndarray:
    """BM_GRAZ annotation: header "N 3 0", then N rows "x y label" (0-based)."""
    rows = np.loadtxt(path, skiprows=1, ndmin=2)
    return rows[:, :2].astype(np.int64)


def with_training(root: Path, train: list[str], out: Path) -> PreparedDataset:
    """A copy of the prepared dataset at ``out`` whose index puts ``train`` in the train split."""
    shutil.copytree(root, out, symlinks=True)
    index = pd.read_csv(out / "index.tsv", sep="\t", dtype={"image_id": str})
    index["split"] = np.where(index["image_id"].isin(train), "train", "test")
    index.to_csv(out / "index.tsv", sep="\t", index=False)
    return PreparedDataset(out)


def monuseg(root: Path, config: SegmentationConfig) -> object:
    """Per-image scores of both methods; returns otsu fitted on every image (for dataset A)."""
    ids = PreparedDataset(root).image_ids()
    scores: dict[str, list[dict]] = {"infogan": [], "otsu_watershed": []}
    with tempfile.TemporaryDirectory() as tmp:
        for held_out in ids:
            others = [i for i in ids if i != held_out]
            dataset = with_training(root, others, Path(tmp) / held_out)
            otsu, _ = fit_model(dataset)
            image, gt = dataset.image(held_out)[..., :3], dataset.labels(held_out)
            for name, seg in (("infogan", NucleiSegmenter(config)), ("otsu_watershed", otsu)):
                pred = seg.segment(image)
                s = nuclei_pixel_scores(gt, pred)
                s["objects"], s["gt"] = int(len(np.unique(pred)) - 1), int(len(np.unique(gt)) - 1)
                scores[name].append(s)
                print(
                    f"monuseg {held_out} {name}: IoU {s['iou']:.3f} F {s['f_score']:.3f} "
                    f"objects {s['objects']} / GT {s['gt']}"
                    + (f" ({otsu.channel}/{otsu.threshold})" if name == "otsu_watershed" else "")
                )
        full, _ = fit_model(with_training(root, ids, Path(tmp) / "all"))
    for name, rows in scores.items():
        print(
            f"monuseg {name}: mean IoU {np.mean([r['iou'] for r in rows]):.3f} "
            f"mean F {np.mean([r['f_score'] for r in rows]):.3f} "
            f"objects {sum(r['objects'] for r in rows)} / GT {sum(r['gt'] for r in rows)}"
        )
    return full


def marrow(root: Path, segmenters: dict) -> None:
    totals = {name: np.zeros(3, np.int64) for name in segmenters}
    n_dots = 0
    for image_path in sorted((root / "source").glob("*.png")):
        image = read_image(image_path)[..., :3]
        dots = read_dots(root / "annotations" / f"{image_path.stem}.txt")
        n_dots += len(dots)
        for name, seg in segmenters.items():
            d = dot_detection(seg.segment(image), dots)
            totals[name] += (d["objects"], d["tp"], d["fp"])
            print(f"marrow-a {image_path.stem} {name}: {d['objects']} objects, {len(dots)} dots")
    for name, (objects, tp, _) in totals.items():
        p, r = tp / max(objects, 1), tp / n_dots
        print(
            f"marrow-a {name}: objects {objects} / dots {n_dots} = {objects / n_dots:.3f}; "
            f"detection P {p:.3f} R {r:.3f} F {2 * p * r / max(p + r, 1e-12):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monuseg", type=Path, required=True, help="prepared MoNuSeg folder")
    parser.add_argument("--marrow", type=Path, help="BM_GRAZ folder (source/, annotations/)")
    parser.add_argument("--threshold", type=float, default=SegmentationConfig().threshold)
    args = parser.parse_args()
    config = SegmentationConfig(threshold=args.threshold)
    otsu = monuseg(args.monuseg, config)
    print(f"otsu_watershed fitted on all MoNuSeg images: {otsu}")
    if args.marrow:
        marrow(args.marrow, {"infogan": NucleiSegmenter(config), "otsu_watershed": otsu})


if __name__ == "__main__":
    main()
