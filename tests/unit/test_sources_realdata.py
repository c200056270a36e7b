"""Parsers against the official on-disk samples in <repo>/../shared/realdata (skipped if absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellbench.data.layout import PreparedDataset
from cellbench.data.sources.prepare import prepare

REPO = Path(__file__).resolve().parents[2]
REALDATA = REPO.parent / "shared" / "realdata"
CASES = {
    "dsb2018": ("dsb2018", 8, 696),
    "ctc-sim": ("ctc/Fluo-N2DH-SIM+", 2, 60),
    "monuseg": ("monuseg", 1, 398),
    "cvppp-a1": ("cvppp", 2, 26),
}


@pytest.mark.parametrize("dataset", sorted(CASES))
def test_prepare_realdata_sample(dataset: str, tmp_path: Path) -> None:
    folder, n_images, n_objects = CASES[dataset]
    if not (REALDATA / folder).is_dir():
        pytest.skip(f"{REALDATA / folder} not present")
    out = prepare(
        dataset,
        REALDATA / folder,
        tmp_path / dataset,
        tmp_path / "dl",
        catalog=REPO / "config" / "datasets.yaml",
        allow_incomplete=dataset == "ctc-sim",  # the sample holds sequence 01 only
    )
    data = PreparedDataset(out)
    ids = data.image_ids()
    assert len(ids) == n_images
    assert sum(int(data.labels(i).max()) for i in ids) == n_objects


def test_prepare_marrow_sample_keeps_the_dots(tmp_path: Path) -> None:
    """BM_GRAZ sample: 1 image, 356 dots in annotations/<stem>.txt, kept as points/<id>.csv."""
    if not (REALDATA / "marrow-a").is_dir():
        pytest.skip(f"{REALDATA / 'marrow-a'} not present")
    out = prepare(
        "marrow-a",
        REALDATA / "marrow-a",
        tmp_path / "marrow-a",
        tmp_path / "dl",
        catalog=REPO / "config" / "datasets.yaml",
    )
    data = PreparedDataset(out)
    assert data.annotation == "points" and data.evaluation_ids() == data.image_ids()
    assert sum(len(data.points(i)) for i in data.image_ids()) == 356
