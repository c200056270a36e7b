"""Real-data check of infogan's nuclei segmentation (paper 002, Sec. III-B1) beside otsu_watershed.

Dataset A (BM_GRAZ, ``source/*.png`` + ``annotations/*.txt`` nucleus dots): object count vs dots
and dot detection P/R/F (one dot per object). MoNuSeg (``*.tif`` + ``*.xml``): IoU and F-score
with the |I ∩ G| > 0.5·|G| rule (paper: 0.56 / 0.70 on its dataset C). otsu_watershed uses the
median GT nucleus radius of each MoNuSeg image and 7 px on dataset A (no masks there).

    python benchmarks/infogan_realdata.py --marrow ../shared/devdata/marrow-a \
        --monuseg ../shared/devdata/monuseg --threshold 120
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from cellbench.data.sources.monuseg import find_pairs, rasterise, read_polygons
from cellbench.io import read_image
from cellbench.methods.infogan.config import SegmentationConfig
from cellbench.methods.infogan.nuclei import NucleiSegmenter
from cellbench.methods.otsu_watershed import OtsuWatershedModel
from cellbench.metrics.nuclei import dot_detection, nuclei_pixel_scores


def read_dots(path: Path) -> np.ndarray:
    """BM_GRAZ annotation: header "N 3 0", then N rows "x y label" (0-based)."""
    rows = np.loadtxt(path, skiprows=1, ndmin=2)
    return rows[:, :2].astype(np.int64)


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


def monuseg(root: Path, config: SegmentationConfig) -> None:
    scores: dict[str, list[dict]] = {"infogan_nuclei": [], "otsu_watershed": []}
    for tif, xml in find_pairs(root):
        image = read_image(tif)[..., :3]
        gt, _ = rasterise(read_polygons(xml), image.shape[:2])
        areas = np.bincount(gt.ravel())[1:]
        radius = float(np.sqrt(np.median(areas[areas > 0]) / np.pi))
        for name, seg in (
            ("infogan_nuclei", NucleiSegmenter(config)),
            ("otsu_watershed", OtsuWatershedModel(object_radius=radius)),
        ):
            pred = seg.segment(image)
            s = nuclei_pixel_scores(gt, pred)
            s["objects"], s["gt"] = int(pred.max()), int(gt.max())
            scores[name].append(s)
            print(
                f"monuseg {tif.stem} {name}: IoU {s['iou']:.3f} F {s['f_score']:.3f} "
                f"objects {s['objects']} / GT {s['gt']}"
            )
    for name, rows in scores.items():
        print(
            f"monuseg {name}: mean IoU {np.mean([r['iou'] for r in rows]):.3f} "
            f"mean F {np.mean([r['f_score'] for r in rows]):.3f} "
            f"objects {sum(r['objects'] for r in rows)} / GT {sum(r['gt'] for r in rows)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marrow", type=Path)
    parser.add_argument("--monuseg", type=Path)
    parser.add_argument("--threshold", type=float, default=SegmentationConfig().threshold)
    args = parser.parse_args()
    config = SegmentationConfig(threshold=args.threshold)
    if args.marrow:
        marrow(
            args.marrow,
            {
                "infogan_nuclei": NucleiSegmenter(config),
                "otsu_watershed": OtsuWatershedModel(object_radius=7.0),
            },
        )
    if args.monuseg:
        monuseg(args.monuseg, config)


if __name__ == "__main__":
    main()
