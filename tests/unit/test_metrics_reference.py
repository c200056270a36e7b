"""Cross-checks against the reference implementations on random synthetic label pairs.

stardist (``stardist.matching``) and cellpose (``cellpose.metrics``) are optional test extras
(skipped when not importable); scikit-image and scikit-learn are core dependencies.
"""

import numpy as np
import pytest

from cellbench.metrics import (
    adapted_rand_error,
    average_precision,
    classification_scores,
    cluster_f_score,
    matching,
    matching_dataset,
)

pytestmark = pytest.mark.reference
TOL = 1e-6  # stardist computes scores in float32
FIELDS = (
    "precision",
    "recall",
    "accuracy",
    "f1",
    "mean_matched_score",
    "mean_true_score",
    "panoptic_quality",
)


def random_pair(
    rng: np.random.Generator, shape: tuple[int, int] = (64, 64)
) -> tuple[np.ndarray, ...]:
    """Overlapping random disks with non-consecutive labels; half the predictions are GT shifts."""
    yy, xx = np.mgrid[: shape[0], : shape[1]]

    def disks(n: int) -> np.ndarray:
        labels = np.zeros(shape, np.int32)
        for value in rng.choice(np.arange(1, 300), n, replace=False):
            cy, cx, r = rng.integers(0, shape[0]), rng.integers(0, shape[1]), rng.integers(2, 10)
            labels[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = value
        return labels

    gt = disks(int(rng.integers(0, 15)))
    if rng.random() < 0.5:
        pred = np.roll(gt, tuple(rng.integers(-3, 4, 2)), axis=(0, 1))
        pred[rng.random(shape) < 0.02] = 0
    else:
        pred = disks(int(rng.integers(0, 15)))
    return gt, pred


PAIRS = [random_pair(np.random.default_rng(seed)) for seed in range(60)]


def test_matching_equals_stardist() -> None:
    sd = pytest.importorskip("stardist.matching")
    for gt, pred in PAIRS:
        for criterion in ("iou", "iot", "iop"):
            ours = matching(gt, pred, (0.1, 0.3, 0.5, 0.7, 0.9), criterion)
            ref = sd.matching(gt, pred, (0.1, 0.3, 0.5, 0.7, 0.9), criterion)
            for a, b in zip(ours, ref, strict=True):
                assert (a.tp, a.fp, a.fn, a.n_true, a.n_pred) == (
                    b.tp,
                    b.fp,
                    b.fn,
                    b.n_true,
                    b.n_pred,
                )
                for field in FIELDS:
                    assert getattr(a, field) == pytest.approx(getattr(b, field), abs=TOL)


@pytest.mark.parametrize("by_image", [False, True])
def test_matching_dataset_equals_stardist(by_image: bool) -> None:
    sd = pytest.importorskip("stardist.matching")
    gts, preds = [g for g, _ in PAIRS], [p for _, p in PAIRS]
    ours = matching_dataset(gts, preds, (0.3, 0.5, 0.75), by_image=by_image)
    ref = sd.matching_dataset(gts, preds, (0.3, 0.5, 0.75), by_image=by_image, show_progress=False)
    for a, b in zip(ours, ref, strict=True):
        assert (a.tp, a.fp, a.fn) == (b.tp, b.fp, b.fn)
        for field in FIELDS:
            assert getattr(a, field) == pytest.approx(getattr(b, field), abs=TOL)


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
def test_average_precision_equals_cellpose() -> None:
    cp = pytest.importorskip("cellpose.metrics")
    thresholds = [0.5, 0.55, 0.75, 0.9]
    pairs = [(g, p) for g, p in PAIRS if g.any() or p.any()]  # cellpose gives NaN for both empty
    gts, preds = [g for g, _ in pairs], [p for _, p in pairs]
    ref_ap, ref_tp, ref_fp, ref_fn = cp.average_precision(gts, preds, threshold=thresholds)
    ours = average_precision(gts, preds, thresholds, by_image=True)
    np.testing.assert_allclose(ours.ap_per_image, ref_ap, atol=TOL)
    np.testing.assert_array_equal(ours.tp, ref_tp.sum(0))
    np.testing.assert_array_equal(ours.fp, ref_fp.sum(0))
    np.testing.assert_array_equal(ours.fn, ref_fn.sum(0))


def test_adapted_rand_equals_skimage() -> None:
    from skimage.metrics import adapted_rand_error as skimage_are

    checked = 0
    for gt, pred in PAIRS:
        if not gt.any():
            continue  # skimage: 0/0
        for g, p in ((gt, pred), (gt.astype(np.uint8), pred.astype(np.uint16))):
            assert adapted_rand_error(g, p, "skimage") == pytest.approx(
                skimage_are(g, p)[0], abs=TOL
            )
        checked += 1
    assert checked > 40


def cremi_adapted_rand(seg: np.ndarray, gt: np.ndarray) -> float:
    """cremi_python ``cremi.evaluation.rand.adapted_rand`` (MIT), transcribed verbatim."""
    from scipy import sparse

    seg_a, seg_b = np.ravel(gt), np.ravel(seg)
    n = seg_a.size
    p_ij = sparse.csr_matrix(
        (np.ones(n), (seg_a, seg_b)), shape=(int(seg_a.max()) + 1, int(seg_b.max()) + 1)
    )
    a = p_ij[1:, :]
    b = p_ij[1:, 1:]
    c = p_ij[1:, 0].todense()
    d = b.multiply(b)
    a_i, b_i = np.array(a.sum(1)), np.array(b.sum(0))
    sum_a = np.sum(a_i * a_i)
    sum_b = np.sum(b_i * b_i) + (np.sum(c) / n)
    sum_ab = np.sum(d) + (np.sum(c) / n)
    precision, recall = sum_ab / sum_b, sum_ab / sum_a
    return float(1.0 - 2.0 * precision * recall / (precision + recall))


def test_adapted_rand_equals_cremi() -> None:
    for gt, pred in PAIRS:
        if gt.any():
            ref = cremi_adapted_rand(pred, gt)
            assert adapted_rand_error(gt, pred, "cremi") == pytest.approx(ref, abs=TOL)


def test_classification_equals_sklearn() -> None:
    from sklearn.metrics import precision_recall_fscore_support

    rng = np.random.default_rng(0)
    for _ in range(20):
        y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 6, 200)
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average="weighted", zero_division=0
        )
        ours = classification_scores(y_true, y_pred)
        assert (ours["precision"], ours["recall"], ours["f_score"]) == pytest.approx(
            (p, r, f), abs=1e-12
        )
        clusters = rng.integers(0, 7, 200)
        table = np.zeros((7, 5), int)
        np.add.at(table, (clusters, y_true), 1)
        mapped = table.argmax(1)[clusters]
        _, _, f_ref, _ = precision_recall_fscore_support(
            y_true, mapped, average="weighted", zero_division=0
        )
        assert cluster_f_score(y_true, clusters) == pytest.approx(f_ref, abs=1e-12)
