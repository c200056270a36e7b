"""infogan's `detection: clog` option: the authors' cLoG + local-max clustering + compaction."""

import numpy as np
import pytest
from pydantic import ValidationError

from cellbench.methods.infogan import stain
from cellbench.methods.infogan.clog import clog, clog_labels, compact, max_clustering
from cellbench.methods.infogan.config import SegmentationConfig
from cellbench.methods.infogan.nuclei import NucleiSegmenter
from cellbench.methods.otsu_watershed import remove_small


def dark_disks(shape, centres, radius):
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    image = np.full(shape, 200.0)
    for cy, cx in centres:
        image[(yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2] = 40.0
    return image


def test_clog_peaks_at_the_centre_at_scale_r_over_sqrt2() -> None:
    """A dark disk of radius 10: the scale-normalised LoG peaks at its centre, σ = 10/√2 ≈ 7."""
    image = dark_disks((64, 64), [(32, 32)], 10)
    response, sigma = clog(image, image < 100, 2.0, 12.0)
    assert np.unravel_index(response.argmax(), response.shape) == (32, 32)
    assert sigma[32, 32] == 7.0
    # The constraint: a pixel 1 px inside the disk edge allows σ ≤ max(2·1, σ_min) = 2 only.
    assert sigma[32, 23] == 2.0


def test_max_clustering_hand_example() -> None:
    """Each pixel climbs to the largest value within the radius (ties: first offset, x-major)."""
    row = np.array([[1.0, 2, 3, 2, 1, 2, 4, 2, 1]])
    mask = np.ones(row.shape, bool)
    np.testing.assert_array_equal(max_clustering(row, mask, 1), [[1, 1, 1, 1, 1, 2, 2, 2, 2]])
    # Radius 3: index 3 (value 2) sees the 4 at index 6, index 2 (the 3) sees nothing larger.
    np.testing.assert_array_equal(max_clustering(row, mask, 3), [[1, 1, 1, 2, 2, 2, 2, 2, 2]])
    # Background pixels are neither followed nor labelled.
    mask[0, 5] = False
    np.testing.assert_array_equal(max_clustering(row, mask, 1), [[1, 1, 1, 1, 1, 0, 2, 2, 2]])
    assert not max_clustering(np.ones((3, 3)), np.ones((3, 3), bool), 1).any()


def test_area_open_and_compact() -> None:
    """area_open of HistomicsTK is the baseline's remove_small; compaction by hand."""
    labels = np.array([[1, 1, 1, 2], [1, 1, 0, 3], [0, 0, 0, 3]])
    np.testing.assert_array_equal(
        remove_small(labels, 2), [[1, 1, 1, 0], [1, 1, 0, 3], [0, 0, 0, 3]]
    )
    mask = np.zeros((20, 30), bool)
    mask[5:15, 5:15] = True
    mask[9, 15:25] = True  # 1-px protrusion
    kept = compact(mask, 3)
    # By hand (taxicab distances, sweeps i = 2 then 1): the protrusion keeps only its base pixel
    # (its neighbour in the square is at distance 2); each corner loses 3 pixels.
    assert kept[9, 15] and not kept[9, 16:25].any()
    np.testing.assert_array_equal(kept[5:8, 5:8], [[0, 0, 1], [0, 1, 1], [1, 1, 1]])
    assert kept[6:14, 6:14].all() and kept.sum() == 100 - 4 * 3 + 1
    assert (compact(mask, 1) == mask).all()  # d = 1 changes nothing


def test_clog_labels_drop_small_clusters_and_thin_bridges() -> None:
    """Two disks joined by a 1-px bridge and a small blob: three clusters (113, 621, 621 px);
    the blob's cluster is under min_size, compaction cuts the bridge: two nuclei remain."""
    image = dark_disks((60, 100), [(30, 25), (30, 70)], 14)
    image[30, 39:57] = 40.0  # bridge
    yy, xx = np.mgrid[:60, :100]
    image[(yy - 8) ** 2 + (xx - 90) ** 2 <= 36] = 40.0  # small blob, 113 px
    foreground = image < 100
    response, _ = clog(image, foreground, 5.0, 12.0)
    clusters = max_clustering(response, foreground, 10.0)
    assert sorted(np.bincount(clusters.ravel())[1:]) == [113, 621, 621]
    labels = clog_labels(image, foreground, (5.0, 12.0), 10.0, 200, 3)
    assert labels.max() == 2 and labels[30, 25] != labels[30, 70]
    assert not labels[8, 90] and not labels[30, 45:50].any()
    assert np.bincount(labels.ravel())[1:].tolist() == [613, 613]


def test_segmenter_clog_option_on_synthetic_he() -> None:
    conc_h = np.zeros((120, 120))
    yy, xx = np.mgrid[:120, :120]
    for cy, cx in [(30, 30), (30, 90), (90, 60)]:
        conc_h[(yy - cy) ** 2 + (xx - cx) ** 2 < 12**2] = 200
    conc_e = 40 + np.random.default_rng(3).uniform(0, 10, conc_h.shape)
    od = conc_h[..., None] * stain.HAEMATOXYLIN + conc_e[..., None] * stain.EOSIN
    image = np.clip(stain.I0 ** (1 - od / 255) - 1, 0, 255).round().astype(np.uint8)
    config = SegmentationConfig(detection="clog", clog_sigma=(4.0, 12.0), heuristics="code")
    labels = NucleiSegmenter(config).segment(image)
    assert labels.dtype == np.uint32 and labels.max() == 3
    assert labels[30, 30] and labels[90, 60] and not labels[5, 5]


def test_clog_sigma_is_checked() -> None:
    with pytest.raises(ValidationError, match="clog_sigma"):
        SegmentationConfig(clog_sigma=(10.0, 5.0))
