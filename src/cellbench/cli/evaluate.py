"""``cellbench evaluate GT PRED``: score predicted label images against ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellbench.data.layout import PreparedDataset
from cellbench.evaluation import dataset_pairs, folder_pairs, score_pairs, summarise
from cellbench.io import atomic_path, write_json
from cellbench.metrics import metric_parameters

HEADLINE = ("f1", "seg", "dsb_map", "sbd", "abs_dic", "dice")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score predicted label images against ground truth",
        description=(
            "Score predicted instance-label images with the shared metrics (F1@0.5, CTC SEG, "
            "DSB MAP, SBD, |DiC|, adapted Rand, Dice). GT is either a prepared dataset directory "
            "(its fully annotated test images are scored) or a folder of label images; "
            "predictions are matched by file name (<id>.tif)."
        ),
    )
    parser.add_argument(
        "gt", type=Path, help="prepared dataset directory or folder of GT label images"
    )
    parser.add_argument("pred", type=Path, help="folder of predicted label images")
    parser.add_argument(
        "--split", default="test", help="split to score for a prepared dataset (default: test)"
    )
    parser.add_argument(
        "--out", type=Path, help="write per_image.csv and summary.json into this folder"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.gt / "index.tsv").is_file():
        pairs = dataset_pairs(PreparedDataset(args.gt), args.pred, args.split)
    else:
        pairs = folder_pairs(args.gt, args.pred)
    per_image = score_pairs(pairs)
    summary = {**summarise(per_image), "metric_parameters": metric_parameters()}
    if args.out:  # files first: a closed stdout (``| head``) must not lose them
        with atomic_path(args.out / "per_image.csv") as tmp:
            per_image.to_csv(tmp, index=False)
        write_json(args.out / "summary.json", summary, default=float)
    overall = summary["metrics"]
    print(f"{len(per_image)} images")
    for key in HEADLINE:
        if key in overall:
            print(f"  {key:>8}: {overall[key]:.4f}")
    if args.out:
        print(f"wrote {args.out / 'per_image.csv'} and {args.out / 'summary.json'}")
    return 0
