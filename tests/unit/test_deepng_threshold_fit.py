"""Post-processing thresholds fitted on training images (deepng, CPU-scale option)."""

import numpy as np
import pytest

from cellbench.methods.deepng.config import PostprocessConfig
from cellbench.methods.deepng.threshold_fit import candidates, choose_thresholds


def disk_maps(ring_probability: float) -> tuple[np.ndarray, np.ndarray]:
    """A nucleus of radius 6 and its softmax: certain inside, ``ring_probability`` of
    foreground in a 2-px ring outside it (a blurry network), background beyond."""
    yy, xx = np.mgrid[:40, :40]
    r = np.hypot(yy - 20, xx - 20)
    labels = (r <= 6).astype(np.uint32)
    foreground = np.where(r <= 6, 1.0, np.where(r <= 8, ring_probability, 0.0))
    cell = np.where(r <= 5, 0.95, 0.0)
    probs = np.stack([1 - foreground, cell, foreground - cell]).astype(np.float32)
    return probs, labels


def test_grid_starts_with_paper_values_and_keeps_the_instance_filter():
    paper = PostprocessConfig()
    grid = candidates(paper)
    assert len(grid) == 15
    assert grid[0] == paper
    assert {c.min_mean_probability for c in grid} == {0.6}


def test_blurry_ring_moves_the_background_threshold_up():
    probs, labels = disk_maps(0.35)
    chosen, record = choose_thresholds([probs], [labels], PostprocessConfig())
    # paper 0.2/0.3: the 0.35 ring joins the nucleus, IoU 113/197 = 0.57: only t = 0.5, 0.55 met
    assert record["paper_score"] == pytest.approx(0.2)
    assert (chosen.seed_threshold, chosen.background_threshold, chosen.height_threshold) == (
        0.8,
        0.4,
        0.5,
    )
    assert record["chosen_score"] == 1.0
    assert len(record["grid"]) == 15


def test_ties_keep_the_paper_values():
    probs, labels = disk_maps(0.0)
    chosen, record = choose_thresholds([probs], [labels], PostprocessConfig())
    assert chosen == PostprocessConfig()
    assert record["chosen_score"] == record["paper_score"] == 1.0


def test_needs_one_label_image_per_map():
    with pytest.raises(ValueError, match="one label image per probability map"):
        choose_thresholds([], [], PostprocessConfig())
