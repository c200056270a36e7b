"""Acceptance: the otsu_watershed baseline does not solve the default synth-dsb trivially."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellbench.data.layout import PreparedDataset
from cellbench.data.synth import generate
from cellbench.methods.otsu_watershed import OtsuWatershedModel, estimate_object_radius
from cellbench.metrics.dsb import dsb_ap


@pytest.mark.slow
def test_otsu_watershed_map_window(tmp_path: Path) -> None:
    dataset = PreparedDataset(generate("dsb", tmp_path / "synth-dsb", seed=0, size="default"))
    model = OtsuWatershedModel(object_radius=estimate_object_radius(dataset))
    scores: dict[str, list[float]] = {}
    for image_id in dataset.evaluation_ids():
        group = dataset.row(image_id)["group"]
        ap = dsb_ap(dataset.labels(image_id), model.segment(dataset.image(image_id)))
        scores.setdefault(group, []).append(ap)
    per_type = {group: float(np.mean(aps)) for group, aps in scores.items()}
    overall = float(np.mean([ap for aps in scores.values() for ap in aps]))
    assert 0.2 < overall < 0.8, per_type
    # Touching clusters (CT5) and brightfield (CT3) are clearly harder than CT1.
    assert per_type["CT5"] < per_type["CT1"] - 0.15, per_type
    assert per_type["CT3"] < per_type["CT1"] - 0.15, per_type
