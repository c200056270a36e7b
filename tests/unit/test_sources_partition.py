"""The deterministic DSB CT1..CT7 partition on synthetic feature tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cellbench.data.sources import partition


def _features(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_grey, n_bright, n_colour = 630, 16, 89
    n = n_grey + n_bright + n_colour
    colour = np.r_[np.zeros(n_grey + n_bright, bool), np.ones(n_colour, bool)]
    background = np.r_[rng.uniform(0, 40, n_grey), rng.uniform(180, 240, n_bright + n_colour)]
    frame = pd.DataFrame(
        {
            "colour": colour,
            "background": background,
            "size": rng.choice([65536, 360000, 1048576], n),
            "median_area": rng.uniform(50, 900, n),
            "density": rng.uniform(0.5, 20, n),
        },
        index=[f"img{i:04d}" for i in range(n)],
    )
    return frame


def test_partition_counts_and_determinism() -> None:
    frame = _features(0)
    types = partition.assign_types(frame)
    again = partition.assign_types(frame.sample(frac=1, random_state=3))
    pd.testing.assert_series_equal(types, again.loc[types.index])
    counts = types.value_counts().to_dict()
    assert counts["CT2"] == 8 and counts["CT3"] == 7 and counts["CT4"] == 8
    assert counts["CT6"] == 16
    assert counts["CT5"] + counts["CT7"] == 89
    assert counts["CT1"] == 630 - 23
    assert (
        types[~frame["colour"] & (frame["background"] < 50)].isin(["CT1", "CT2", "CT3", "CT4"])
    ).all()


def test_image_features_grey_vs_colour() -> None:
    grey = np.zeros((20, 20, 3), np.uint8)
    grey[5:10, 5:10] = 200
    labels = np.zeros((20, 20), np.uint16)
    labels[5:10, 5:10] = 1
    feats = partition.image_features(grey, labels)
    assert not feats["colour"] and feats["background"] == 0 and feats["median_area"] == 25
    colour = np.full((20, 20, 3), (200, 120, 220), np.uint8)
    assert partition.image_features(colour, None)["colour"]


def test_choose_test_two_per_type_fixed_seed() -> None:
    types = pd.Series(["CT1"] * 5 + ["CT2"] * 3 + ["CT3"], index=[f"i{k}" for k in range(9)])
    eligible = pd.Series(True, index=types.index)
    first = partition.choose_test(types, eligible, seed=1)
    assert first == partition.choose_test(types, eligible, seed=1)
    assert len(first) == 5 and "i8" in first
