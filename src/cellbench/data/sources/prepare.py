"""Bring a real dataset into the prepared layout: locate/download, verify, unpack, convert.

``source`` is a URL (the file itself for single-file datasets, the folder holding every file
otherwise), a local archive/file, a folder holding the published files, a folder with the
already unpacked data (no checksum possible; logged), or ``None`` (the datasets file's URLs).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from skimage.segmentation import relabel_sequential

from cellbench.data.layout import CELL_CROPS, DatasetInfo, write_dataset
from cellbench.data.sources import (
    consep,
    ctc,
    cvppp,
    dsb,
    marrow,
    marrow_cells,
    monuseg,
    partition,
    tissuenet,
)
from cellbench.data.sources.catalog import REAL_DATASETS, DatasetEntry, get_entry
from cellbench.data.sources.download import (
    DEFAULT_CATALOG,
    download,
    extract,
    file_url_path,
    is_archive,
    verify,
)
from cellbench.data.sources.files import rglob
from cellbench.errors import InputError
from cellbench.io import check_output_dir, read_image

log = logging.getLogger(__name__)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://", "ftp://"))


def _missing_message(entry: DatasetEntry, path: Path) -> str:
    how = (
        f"it needs registration at {entry.homepage}"
        if entry.registration
        else f"it has no download URL in the datasets file (see {entry.homepage})"
    )
    text = (
        f"file missing for dataset {entry.name}: {how}. Download {path.name} yourself and put "
        f"it at {path} (or pass --source PATH to the file or its folder)."
    )
    return text + (f" {entry.manual}" if entry.manual else "")


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.resolve() == target.resolve():
            return
        link.unlink()
    os.symlink(target.resolve(), link)


def fetch(
    entry: DatasetEntry,
    source: str | Path | None,
    downloads: Path,
    *,
    accept_checksum: bool = False,
    catalog: str | Path = DEFAULT_CATALOG,
) -> Path:
    """Stage, verify and unpack the dataset's files; return the folder to parse.

    ``source`` may be a ``file:`` URL (read as the local path it names). Each archive is
    unpacked into ``unpacked/<name>/`` keyed by its sha256, so a new or re-accepted archive
    replaces a stale unpacked copy.
    """
    folder = Path(downloads) / entry.name
    staged: list[tuple[Path, str]] = []
    src = None if source in (None, "") else str(source)
    local = file_url_path(src) if src is not None else None
    if local is not None:
        src = str(local)

    def check(path: Path, sha256: str | None) -> tuple[Path, str]:
        return path, verify(path, sha256, accept_checksum=accept_checksum, catalog=catalog)

    if src is not None and not _is_url(src):
        path = Path(src)
        if not path.exists():
            raise InputError(path, f"--source for {entry.name} does not exist")
        if path.is_dir():
            present = [f for f in entry.files if (path / f.name).is_file()]
            if not any(is_archive(Path(f.name)) for f in present):
                for f in present:  # plain published files (e.g. a solution CSV) beside the data
                    _link(path / f.name, folder / f.name)
                    check(folder / f.name, f.sha256)
                log.warning("%s: using unpacked data as is (no archive checksum)", path)
                return path
            for f in present:
                _link(path / f.name, folder / f.name)
                staged.append(check(folder / f.name, f.sha256))
        else:
            match = next((f for f in entry.files if f.name == path.name), None)
            name = match.name if match else path.name
            _link(path, folder / name)
            staged.append(check(folder / name, match.sha256 if match else None))
    else:
        for f in entry.files:
            dest = folder / f.name
            if src is not None:
                url = src if len(entry.files) == 1 else f"{src.rstrip('/')}/{f.name}"
            else:
                url = f.url
            if dest.is_file() or url is None or (entry.registration and src is None):
                if not dest.is_file():
                    raise InputError(dest, _missing_message(entry, dest))
                staged.append(check(dest, f.sha256))
            else:
                sha256 = download(
                    url, dest, f.sha256, accept_checksum=accept_checksum, catalog=catalog
                )
                staged.append((dest, sha256))
    unpacked = folder / "unpacked"
    unpacked.mkdir(parents=True, exist_ok=True)
    for path, sha256 in staged:
        if is_archive(path):
            try:
                extract(path, unpacked / path.name.split(".")[0], sha256)
            except InputError as exc:
                raise InputError(
                    path,
                    f"{exc.problem}. Delete {path} and {path}.sha256 (its checksum lock) and "
                    "download it again, or pass a good copy with --source.",
                ) from exc
        else:
            _link(path, unpacked / path.name)
    return unpacked


def verify_file(
    path: Path, sha256: str | None, accept_checksum: bool, catalog: str | Path = DEFAULT_CATALOG
) -> Path:
    """Verify a staged file (see :func:`download.verify`)."""
    verify(path, sha256, accept_checksum=accept_checksum, catalog=catalog)
    return path


def prepare(
    dataset: str,
    source: str | Path | None,
    out: Path,
    downloads: Path,
    *,
    catalog: str | Path = DEFAULT_CATALOG,
    accept_checksum: bool = False,
    seed: int = 0,
    overwrite: bool = False,
    allow_incomplete: bool = False,
) -> Path:
    """Prepare ``dataset`` from ``source`` into ``out`` (atomically); return ``out``.

    ``out`` is checked first (:func:`cellbench.io.check_output_dir`: an existing folder not
    written by cellbench needs ``overwrite``). A source missing part of the published
    dataset (CTC: a sequence or its ground truth; DSB: masks or the stage 1 solution) is an
    error unless ``allow_incomplete``; then ``dataset.json`` lists what is missing under
    ``incomplete``.
    """
    if dataset not in REAL_DATASETS:
        raise InputError(None, f"unknown dataset {dataset!r}; known: {', '.join(REAL_DATASETS)}")
    check_output_dir(out, overwrite=overwrite)
    entry = get_entry(catalog, dataset)
    root = fetch(entry, source, Path(downloads), accept_checksum=accept_checksum, catalog=catalog)
    info = DatasetInfo(
        name=dataset,
        domain="",
        scale=entry.scale,
        source=str(source or ", ".join(str(f.url) for f in entry.files)),
        seed=seed,
        description=entry.title,
        extra={"licence": entry.licence, "citation": entry.citation, "homepage": entry.homepage},
    )
    builder = {
        "dsb2018": _prepare_dsb,
        "monuseg": _prepare_monuseg,
        "consep": _prepare_consep,
        "cvppp-a1": _prepare_cvppp,
        "tissuenet": _prepare_tissuenet,
        "marrow-a": _prepare_marrow,
        "marrow-a-cells": _prepare_marrow_cells,
    }.get(dataset, _prepare_ctc)
    info = _check_complete(dataset, root, info, allow_incomplete)
    builder(root, Path(out), info, seed, overwrite)
    log.info("prepared %s in %s", dataset, out)
    return Path(out)


def _check_complete(
    dataset: str, root: Path, info: DatasetInfo, allow_incomplete: bool
) -> DatasetInfo:
    """Refuse a CTC/DSB source that lacks published parts, or record them if allowed."""
    if dataset == "dsb2018":
        missing = dsb.missing_parts(root)
    else:
        missing = ctc.missing_parts(root) if dataset.startswith("ctc-") else []
    if not missing:
        return info
    if not allow_incomplete:
        raise InputError(
            root,
            f"incomplete {dataset} source: {'; '.join(missing)}. Supply the complete "
            "published dataset, or accept a partial one deliberately with "
            "--allow-incomplete (cellbench prepare; recorded in dataset.json as "
            "'incomplete').",
        )
    log.warning("INCOMPLETE %s (accepted): %s", dataset, "; ".join(missing))
    return _with(info, extra={**info.extra, "incomplete": missing})


def _with(info: DatasetInfo, **changes) -> DatasetInfo:
    data = info.to_json() | changes
    return DatasetInfo.from_json(data)


def _prepare_dsb(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    folders = dsb.find_image_dirs(root)
    if not folders:
        raise InputError(root, "no DSB image folders <id>/images/<id>.png found")
    solutions = rglob(root, "stage1_solution.csv")
    solution = dsb.read_solution(solutions[0]) if solutions else None
    rows = {}
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        for folder in folders:
            image, labels, origin = dsb.load_image(folder, solution)
            rows[folder.name] = {**partition.image_features(image, labels), "origin": origin}
            rows[folder.name]["n_objects"] = 0 if labels is None else int(labels.max())
            np.save(Path(tmp) / f"{folder.name}_image.npy", image)
            if labels is not None:
                np.save(Path(tmp) / f"{folder.name}_labels.npy", labels)
        features = pd.DataFrame.from_dict(rows, orient="index").sort_index()
        features.index.name = "image_id"
        features["type"] = partition.assign_types(features)
        labelled = features["n_objects"] > 0
        test = partition.choose_test(features["type"], labelled, seed=seed)
        features["split"] = ["test" if i in test else "train" for i in features.index]
        info = _with(info, domain="dsb", channels=["red", "green", "blue"])
        with write_dataset(out, info, overwrite=overwrite) as writer:
            for image_id, row in features.iterrows():
                label_file = Path(tmp) / f"{image_id}_labels.npy"
                writer.add(
                    str(image_id),
                    np.load(Path(tmp) / f"{image_id}_image.npy"),
                    np.load(label_file) if label_file.is_file() else None,
                    split=row["split"],
                    group=row["type"],
                    origin=row["origin"],
                )
            features.to_csv(writer.root / "partition.tsv", sep="\t")
    counts = features["type"].value_counts().sort_index().to_dict()
    log.info("DSB partition: %s", counts)


def _prepare_ctc(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    info = _with(info, domain="ctc", channels=["intensity"])
    n = 0
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for frame in ctc.frames(root):
            if frame.sequence == "02" and frame.seg is None:
                continue
            image = read_image(frame.image)
            labels = ctc.load_seg(frame.seg) if frame.seg else None
            tra = read_image(frame.tra) if (frame.tra and labels is not None) else None
            partial = labels is not None and ctc.is_partial(labels, tra)
            digits = frame.image.stem[1:]
            writer.add(
                f"{frame.sequence}_t{digits}",
                image,
                labels,
                split="train" if frame.sequence == "01" else "test",
                group=frame.sequence,
                partial=partial,
                frame=frame.frame,
            )
            n += 1
    if not n:
        raise InputError(root, "no CTC frames found")


def _prepare_monuseg(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    info = _with(info, domain="histo", channels=["red", "green", "blue"])
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for image_path, xml in monuseg.find_pairs(root):
            image = read_image(image_path)[..., :3]
            labels, dropped = monuseg.rasterise(monuseg.read_polygons(xml), image.shape[:2])
            if dropped:
                log.info("%s: %d polygons dropped (degenerate or fully covered)", xml, dropped)
            dirs = {part.lower() for part in image_path.resolve().parts}
            is_test = any(d.startswith("monusegtest") or d in {"test", "testing"} for d in dirs)
            split = "test" if is_test else "train"
            parts = image_path.stem.split("-")
            writer.add(
                image_path.stem,
                image,
                labels,
                split=split,
                group=parts[1] if len(parts) > 2 else "all",
            )


def _prepare_consep(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    info = _with(
        info,
        domain="histo",
        channels=["red", "green", "blue"],
        categories=list(consep.TYPES.values()),
    )
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for split, image_path, mat in consep.find_pairs(root):
            labels, categories = consep.read_mat(mat)
            writer.add(
                f"{split}_{image_path.stem}",
                read_image(image_path)[..., :3],
                labels,
                split=split,
                group=split,
                categories=categories,
            )


def _prepare_cvppp(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    info = _with(info, domain="leaves", channels=["red", "green", "blue"])
    plants = [p for p in cvppp.find_plants(root) if p[2] is not None]
    if not plants:
        raise InputError(root, "no CVPPP *_label.png found next to the *_rgb.png images")
    rng = np.random.default_rng(seed)
    # spoco (paper 004, App. A.3): 103 train / 25 validation of the 128 plants; the validation
    # plants are the test split here (A1 test labels are not public).
    n_test = max(1, round(25 / 128 * len(plants))) if len(plants) > 1 else 0
    test = {plants[int(i)][0] for i in rng.choice(len(plants), size=n_test, replace=False)}
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for stem, rgb, label in plants:
            writer.add(
                stem,
                cvppp.read_rgb(rgb),
                cvppp.read_palette_labels(label),
                split="test" if stem in test else "train",
                group="A1",
            )


def _prepare_tissuenet(
    root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool
) -> None:
    info = _with(info, domain="tissuenet", channels=["nucleus", "membrane"])
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for split, path in tissuenet.find_files(root).items():
            images, labels, tissues = tissuenet.load_split(path)
            for i in range(len(images)):
                lab = relabel_sequential(labels[i].astype(np.int64))[0].astype(np.uint32)
                writer.add(
                    f"{split}_{i:05d}",
                    images[i].astype(np.float32),
                    lab,
                    split=split,
                    group=tissues[i],
                )


def _prepare_marrow(root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool) -> None:
    found = marrow.find_source(root)
    images = found.images
    objects = marrow.read_table(found.optional("objects.tsv"))
    table = marrow.read_table(found.optional("images.tsv"))
    meta = {} if table is None else table.set_index("image_id").to_dict(orient="index")
    cats = sorted(objects["category"].unique()) if objects is not None else []
    annotation = "points" if any(found.dots.values()) else "labels"
    info = _with(
        info,
        domain="marrow",
        channels=["red", "green", "blue"],
        categories=cats,
        annotation=annotation,
    )
    test = marrow.default_test(images, seed)
    n_dots = 0
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for path in images:
            image_id = path.stem
            label_path = found.optional("labels") / f"{image_id}.tif"
            labels = read_image(label_path) if label_path.is_file() else None
            image = read_image(path)
            dot_file = found.dots[path]
            points = None if dot_file is None else marrow.read_dots(dot_file, image.shape[:2])
            n_dots += 0 if points is None else len(points)
            categories = None
            if objects is not None:
                rows = objects[objects["image_id"] == image_id]
                categories = dict(zip(rows["label"].astype(int), rows["category"], strict=True))
            row = meta.get(image_id, {})
            writer.add(
                image_id,
                image[..., :3] if image.ndim == 3 else image,
                labels,
                split=row.get("split", "test" if image_id in test else "train"),
                group=row.get("image_label", "normal"),
                categories=categories,
                points=points,
                image_label=row.get("image_label", "normal"),
            )
    log.info("marrow-a: %d images, %d nucleus dots, from %s", len(images), n_dots, found.base)


def _prepare_marrow_cells(
    root: Path, out: Path, info: DatasetInfo, seed: int, overwrite: bool
) -> None:
    """The authors' labelled dataset-A cells: one 32×32 crop per image, their train/test split.

    Every file is read and checked before anything is written.
    """
    splits = {split: marrow_cells.load_split(root, split) for split in marrow_cells.SPLITS}
    names = marrow_cells.category_names(np.concatenate([y for _, y in splits.values()]))
    info = _with(
        info,
        domain=CELL_CROPS,
        channels=["red", "green", "blue"],
        categories=sorted(set(names.values())),
        extra={**info.extra, "label_names": {str(k): v for k, v in names.items()}},
    )
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for split, (crops, labels) in splits.items():
            for i, (crop, label) in enumerate(zip(crops, labels, strict=True)):
                writer.add(
                    f"{split}_{i:05d}",
                    crop,
                    None,
                    split=split,
                    group=names[int(label)],
                    categories={1: names[int(label)]},
                )
            counts = np.bincount(labels, minlength=marrow_cells.N_CLASSES)
            log.info("%s: %d cells, per label 0-3: %s", split, len(labels), counts.tolist())
    if names[0].startswith("class"):
        log.warning(
            "per-label counts differ from the paper's 34/751/495/715: labels named class0-3"
        )


def download_file(
    catalog: str | Path,
    dataset: str,
    name: str,
    downloads: Path,
    *,
    accept_checksum: bool = False,
) -> Path:
    """Download (or verify, if present) one published file of a dataset into ``downloads``."""
    entry = get_entry(catalog, dataset)
    match = next((f for f in entry.files if f.name == name), None)
    if match is None:
        raise InputError(catalog, f"dataset {dataset} has no file {name!r}")
    dest = Path(downloads) / dataset / name
    if dest.is_file():
        return verify_file(dest, match.sha256, accept_checksum, catalog)
    if match.url is None or entry.registration:
        raise InputError(dest, _missing_message(entry, dest))
    download(match.url, dest, match.sha256, accept_checksum=accept_checksum, catalog=catalog)
    return dest
