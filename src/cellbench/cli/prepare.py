"""``cellbench prepare DATASET --source URL_OR_PATH --out DIR``: a real dataset, prepared."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellbench.data.sources.catalog import REAL_DATASETS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prepare",
        help="download/verify/unpack a real dataset and write it in the prepared layout",
        description=(
            "Bring a real dataset into the prepared layout (docs/datasets.md). The source is a "
            "URL, a local copy of the published archive/file, a folder holding the published "
            "files, or a folder with the unpacked data; without --source the URLs of the "
            "datasets file are used. Every archive is sha256-verified before unpacking (published "
            "checksum, or the lock file <downloads>/<dataset>/<file>.sha256 recorded by the first "
            "download). Datasets that need registration must be downloaded by hand: the error "
            "message says which file to put where."
        ),
    )
    parser.add_argument("dataset", choices=REAL_DATASETS, help="dataset name")
    parser.add_argument(
        "--source",
        default=None,
        help=(
            "URL (http, https, ftp, file:), archive, file or folder (default: the URLs of the "
            "datasets file); folders made of symbolic links are followed"
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help=(
            "prepared dataset directory (replaced atomically); an existing folder not written "
            "by cellbench is refused unless --overwrite"
        ),
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out even if it holds files cellbench did not write",
    )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help=(
            "prepare a CTC or DSB source that lacks part of the published data (a sequence, "
            "ground truth, masks, the solution file) instead of refusing it; dataset.json "
            "lists what is missing under 'incomplete'"
        ),
    )
    parser.add_argument(
        "--downloads",
        type=Path,
        default=Path("results/downloads"),
        help="folder for downloads, checksum locks and unpacked archives (default: results/downloads)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=Path("config/datasets.yaml"),
        help="datasets file (default: config/datasets.yaml)",
    )
    parser.add_argument(
        "--accept-checksum",
        action="store_true",
        help="deliberately accept the checksum of the file at hand and record it in the lock file",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of random splits (default: 0)")
    parser.add_argument(
        "--figure",
        type=Path,
        default=None,
        help="dsb2018 only: also draw the CT1-CT7 partition figure to this .png (and .pdf)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cellbench.data.sources.partition import draw_partition_figure
    from cellbench.data.sources.prepare import prepare

    out = prepare(
        args.dataset,
        args.source,
        args.out,
        args.downloads,
        catalog=args.catalog,
        accept_checksum=args.accept_checksum,
        seed=args.seed,
        overwrite=args.overwrite,
        allow_incomplete=args.allow_incomplete,
    )
    if args.figure is not None and args.dataset == "dsb2018":
        draw_partition_figure(out, args.figure)
    print(out)
    return 0
