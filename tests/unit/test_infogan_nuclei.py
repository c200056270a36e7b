"""infogan nuclei segmentation (paper 002, Sec. III-B1): stain maths, post-processing, metrics."""

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.methods.infogan import stain
from cellbench.methods.infogan.config import SegmentationConfig
from cellbench.methods.infogan.nuclei import NucleiSegmenter, load, postprocess
from cellbench.metrics.nuclei import dot_detection, nuclei_pixel_scores


def test_lab_of_grey_pixel_matches_hand_computation() -> None:
    # l = (ln(0.9996·200) + ln(0.9993·200) + ln(0.9973·200)) / √3 (Ruderman row sums).
    lab = stain.rgb_to_lab(np.array([[[200.0, 200.0, 200.0]]]))[0, 0]
    expected_l = sum(np.log(s * 200) for s in (0.9996, 0.9993, 0.9973)) / np.sqrt(3)
    assert lab[0] == pytest.approx(expected_l, abs=1e-12)
    assert lab[0] == pytest.approx(9.174759, abs=1e-6)
    assert abs(lab[1]) < 2e-3 and abs(lab[2]) < 3e-4


def test_lab_round_trip() -> None:
    rgb = np.random.default_rng(0).uniform(1, 255, (5, 7, 3))
    np.testing.assert_allclose(stain.lab_to_rgb(stain.rgb_to_lab(rgb)), rgb, rtol=1e-10)


def test_reinhard_reaches_target_statistics() -> None:
    rgb = np.random.default_rng(1).uniform(60, 230, (64, 64, 3))
    out = stain.reinhard(rgb, (8.98, 0.08, 0.02), (0.3, 0.1, 0.03))
    lab = stain.rgb_to_lab(out.astype(float)).reshape(-1, 3)
    np.testing.assert_allclose(lab.mean(0), [8.98, 0.08, 0.02], atol=0.02)
    np.testing.assert_allclose(lab.std(0), [0.3, 0.1, 0.03], rtol=0.1)


def test_optical_density_scale() -> None:
    # HistomicsTK rgb_to_sda: white 255 -> 0, black 0 -> 255, I=127 -> 255·(1 - 7/8).
    np.testing.assert_allclose(
        stain.optical_density(np.array([255.0, 0.0, 127.0])), [0, 255, 31.875]
    )


def synthetic_he(rng: np.random.Generator, h_vec: np.ndarray, e_vec: np.ndarray) -> tuple:
    conc_h = rng.uniform(0, 150, (48, 48)) * (rng.random((48, 48)) < 0.5)
    conc_e = rng.uniform(0, 150, (48, 48)) * (rng.random((48, 48)) < 0.5)
    od = conc_h[..., None] * h_vec + conc_e[..., None] * e_vec
    rgb = stain.I0 ** (1 - od / 255) - 1
    return np.clip(rgb, 0, 255), conc_h


def test_macenko_recovers_stains_and_identifies_haematoxylin() -> None:
    h_vec = np.array([0.55, 0.76, 0.35]) / np.linalg.norm([0.55, 0.76, 0.35])
    e_vec = np.array([0.2, 0.9, 0.38]) / np.linalg.norm([0.2, 0.9, 0.38])
    rgb, conc_h = synthetic_he(np.random.default_rng(2), h_vec, e_vec)
    stains = stain.macenko_stains(rgb, min_magnitude=1.0, percentile=0.0)
    assert stains[:, 0] @ h_vec > 0.999
    assert stains[:, 1] @ e_vec > 0.999
    h_intensity = stain.deconvolve(rgb, stains)[..., 0]
    mask = conc_h > 20
    expected = np.clip(stain.I0 ** (1 - conc_h / 255) - 1, 0, 255)
    np.testing.assert_allclose(h_intensity[mask], expected[mask], rtol=0.05, atol=2)


def test_postprocess_exact_objects() -> None:
    mask = np.zeros((80, 80), bool)
    mask[5:25, 5:25] = True  # 400 px, kept
    mask[12:16, 12:16] = False  # hole, filled
    mask[24, 25:60] = True  # 1-px protrusion, removed
    mask[40:60, 40:60] = True  # kept
    mask[70:78, 5:15] = True  # 80 px < 200, removed
    labels = postprocess(mask, SegmentationConfig())
    assert labels.dtype == np.uint32
    assert labels.max() == 2
    # disk(2) opening cuts 3 px off each square corner: 2 · (400 − 4 · 3)
    assert (labels > 0).sum() == 776
    assert labels[13, 13] > 0 and labels[24, 40] == 0


def test_segmenter_finds_dark_nuclei_and_round_trips(tmp_path) -> None:
    rng = np.random.default_rng(3)
    h_vec = stain.HAEMATOXYLIN
    e_vec = stain.EOSIN
    conc_h = np.zeros((120, 120))
    yy, xx = np.mgrid[:120, :120]
    for cy, cx in [(30, 30), (30, 90), (90, 60)]:
        conc_h[(yy - cy) ** 2 + (xx - cx) ** 2 < 12**2] = 200
    conc_e = 40 + rng.uniform(0, 10, conc_h.shape)
    od = conc_h[..., None] * h_vec + conc_e[..., None] * e_vec
    image = np.clip(stain.I0 ** (1 - od / 255) - 1, 0, 255).round().astype(np.uint8)
    labels = NucleiSegmenter(SegmentationConfig()).segment(image)
    assert labels.shape == image.shape[:2] and labels.max() == 3
    assert labels[30, 30] and labels[90, 60] and not labels[5, 5]


@pytest.mark.parametrize(
    ("image", "problem"),
    [(np.zeros((8, 8), np.uint8), "grey-scale"), (np.zeros((8, 8, 4), np.uint8), "alpha")],
)
def test_rejects_grey_and_alpha(image: np.ndarray, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        NucleiSegmenter().segment(image)


def test_blank_image_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="too few stained pixels"):
        NucleiSegmenter().segment(np.full((16, 16, 3), 255, np.uint8))


def test_load_rejects_other_files(tmp_path) -> None:
    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(InputError, match="not an infogan nuclei model"):
        load(tmp_path / "m.json")


def test_nuclei_pixel_scores_hand_example() -> None:
    gt = np.zeros((10, 10), int)
    gt[0:4, 0:4] = 1  # 16 px
    gt[6:10, 6:10] = 2  # 16 px
    pred = np.zeros((10, 10), int)
    pred[0:4, 0:3] = 1  # 12 px inside G1: 12 > 8 -> matched, TP 12
    pred[6:8, 6:10] = 2  # 8 px inside G2: 8 is not > 8 -> unmatched
    s = nuclei_pixel_scores(gt, pred)
    assert (s["tp"], s["fp"], s["fn"]) == (12, 8, 20)
    assert s["iou"] == pytest.approx(12 / 40)
    assert s["f_score"] == pytest.approx(24 / 52)


def test_dot_detection_one_dot_per_object() -> None:
    labels = np.zeros((10, 10), int)
    labels[0:3, 0:3] = 1
    labels[5:8, 5:8] = 2
    labels[0:2, 7:9] = 3  # no dot: FP
    dots = np.array([[1, 1], [2, 2], [6, 6], [9, 0]])  # (x, y); two dots in object 1
    d = dot_detection(labels, dots)
    assert (d["objects"], d["tp"], d["fp"], d["fn"]) == (3, 2, 1, 2)
    assert d["precision"] == pytest.approx(2 / 3) and d["recall"] == pytest.approx(0.5)
    with pytest.raises(InputError, match="outside"):
        dot_detection(labels, np.array([[10, 0]]))
