"""``cellbench segment METHOD MODEL IMAGES... --out DIR``: apply a trained method to new images."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellbench.methods.predict import AXES, check_inputs, segment_files
from cellbench.methods.registry import METHODS, load_segmenter


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "segment",
        help="apply a trained method to new images",
        description=(
            "Segment images with a model trained by the pipeline (e.g. "
            "results/models/<method>/<dataset>/<run>/model.*). Writes one uint16/uint32 "
            "label TIFF per image into --out, named after the image. Every input is checked "
            "first: one 2-D image each (grey or with channels), finite values, no two inputs "
            "with the same name, no input inside --out under its output name."
        ),
    )
    parser.add_argument("method", choices=sorted(METHODS), help="method name")
    parser.add_argument("model", type=Path, help="trained model file written by the pipeline")
    parser.add_argument("images", type=Path, nargs="+", help="image files (TIFF, PNG, JPEG)")
    parser.add_argument("--out", type=Path, required=True, help="output folder for label TIFFs")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="resize factor applied to inputs: the scale the model was trained at (e.g. methods.deepng.scale; default 1)",
    )
    parser.add_argument(
        "--axes",
        choices=AXES,
        default=None,
        help=(
            "axis order of the images: YX (grey), YXC (channels last) or CYX (channels first); "
            "default: YX for 2-D, YXC for 3-D arrays ending in at most 4 channels"
        ),
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_inputs(args.images, args.out, args.scale, args.axes)  # before loading the model
    segmenter = load_segmenter(args.method, args.model, device=args.device)
    written = segment_files(segmenter, args.images, args.out, args.scale, args.axes)
    print(f"wrote {len(written)} label images to {args.out}")
    return 0
