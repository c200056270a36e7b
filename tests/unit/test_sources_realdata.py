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
