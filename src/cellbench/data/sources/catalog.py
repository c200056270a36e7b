"""The datasets file (``config/datasets.yaml``): where each real dataset comes from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cellbench.data.sources.download import file_url_path
from cellbench.errors import InputError

REAL_DATASETS = (
    "dsb2018",
    "ctc-sim",
    "ctc-gowt1",
    "ctc-hela",
    "ctc-psc",
    "ctc-hu7",
    "ctc-hsc",
    "monuseg",
    "consep",
    "cvppp-a1",
    "tissuenet",
    "marrow-a",
    "marrow-a-cells",
)
_KEYS = {"title", "homepage", "licence", "citation", "registration", "scale", "files", "manual"}
_FILE_KEYS = {"name", "url", "sha256"}


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset as published (archive or plain file)."""

    name: str
    url: str | None
    sha256: str | None


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset of the catalogue."""

    name: str
    title: str
    homepage: str
    licence: str
    citation: str
    registration: bool
    scale: float
    files: tuple[SourceFile, ...]
    manual: str = ""


def _file(path: Path, name: str, raw: Any) -> SourceFile:
    if not isinstance(raw, dict) or set(raw) - _FILE_KEYS or "name" not in raw:
        raise InputError(path, f"{name}: each file needs keys name, url, sha256 (got {raw!r})")
    sha = raw.get("sha256")
    if sha is not None and (len(str(sha)) != 64 or not all(c in "0123456789abcdef" for c in sha)):
        raise InputError(path, f"{name}/{raw['name']}: sha256 must be 64 lower-case hex digits")
    return SourceFile(str(raw["name"]), raw.get("url"), sha)


def load_catalog(path: str | Path) -> dict[str, DatasetEntry]:
    """Read and validate the datasets file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "datasets file not found (default: config/datasets.yaml)")
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get("datasets")
    if not isinstance(entries, dict):
        raise InputError(path, "expected a top-level mapping 'datasets: {name: entry}'")
    catalog: dict[str, DatasetEntry] = {}
    for name, raw in entries.items():
        if name not in REAL_DATASETS:
            raise InputError(path, f"unknown dataset {name!r}; known: {', '.join(REAL_DATASETS)}")
        unknown = set(raw) - _KEYS
        missing = {"title", "homepage", "licence", "citation", "registration", "files"} - set(raw)
        if unknown or missing:
            raise InputError(
                path, f"{name}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}"
            )
        catalog[name] = DatasetEntry(
            name=name,
            title=str(raw["title"]),
            homepage=str(raw["homepage"]),
            licence=str(raw["licence"]),
            citation=str(raw["citation"]),
            registration=bool(raw["registration"]),
            scale=float(raw.get("scale", 1.0)),
            files=tuple(_file(path, name, f) for f in raw["files"]),
            manual=str(raw.get("manual", "")),
        )
    return catalog


def get_entry(catalog_path: str | Path, dataset: str) -> DatasetEntry:
    """The catalogue entry of ``dataset`` (InputError naming the datasets file if absent)."""
    catalog = load_catalog(catalog_path)
    if dataset not in catalog:
        raise InputError(catalog_path, f"no entry for dataset {dataset!r}")
    return catalog[dataset]


def rule_inputs(
    catalog: str | Path, downloads: str | Path, sources: dict[str, str], dataset: str
) -> list[str]:
    """Input files of the prepare rule: the published files, or a local source override."""
    source = sources.get(dataset)
    if source is not None:
        local = file_url_path(str(source))
        if local is not None:
            return [str(local)]
        return [] if "://" in source else [str(source)]
    entry = get_entry(catalog, dataset)
    return [f"{downloads}/{dataset}/{f.name}" for f in entry.files]
