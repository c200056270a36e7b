"""image_scores / dataset_scores: one overlap, the same values as the public functions."""

import json

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.metrics import (
    adapted_rand_error,
    ctc_seg,
    dataset_scores,
    dice,
    dsb_ap,
    image_scores,
    matching,
    matching_dataset,
    metric_parameters,
    sbd,
)


def blobs(seed: int, n: int = 8, shape: tuple[int, int] = (48, 48)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.zeros(shape, np.uint16)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    for value in rng.choice(np.arange(1, 500), n, replace=False):
        cy, cx, r = rng.integers(0, shape[0]), rng.integers(0, shape[1]), rng.integers(3, 9)
        labels[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = value
    return labels


def test_image_scores_agree_with_public_functions() -> None:
    gt, pred = blobs(1), np.roll(blobs(1), 2, axis=1)
    s = image_scores(gt, pred)
    m = matching(gt, pred)
    assert (s["tp"], s["fp"], s["fn"], s["f1"]) == (m.tp, m.fp, m.fn, m.f1)
    assert s["dsb_ap"] == pytest.approx(dsb_ap(gt, pred), abs=1e-15)
    assert s["seg"] == pytest.approx(ctc_seg([gt], [pred]), abs=1e-15)
    assert s["sbd"] == sbd(gt, pred) and s["dice"] == dice(gt, pred)
    assert s["arand_cremi"] == adapted_rand_error(gt, pred, "cremi")
    assert s["arand_skimage"] == adapted_rand_error(gt, pred, "skimage")
    assert s["abs_dic"] == abs(s["dic"]) == abs(s["n_pred"] - s["n_gt"])
    assert s["dsb_ap"] == pytest.approx(
        np.mean([s[f"dsb_ap_{t / 100:.2f}"] for t in range(50, 100, 5)])
    )


def test_identity_scores_perfectly() -> None:
    gt = blobs(2)
    s = image_scores(gt, gt)
    assert s["f1"] == s["dsb_ap"] == s["seg"] == s["sbd"] == s["dice"] == 1.0
    assert s["arand_cremi"] == s["arand_skimage"] == 0.0 and s["dic"] == 0
    d = dataset_scores([s, image_scores(blobs(3), blobs(3))])
    assert d["f1"] == d["seg"] == d["dsb_map"] == d["dsb_map_pooled"] == 1.0


def test_label_permutation_invariance() -> None:
    gt, pred = blobs(4), np.roll(blobs(4), 3, axis=0)
    lut = np.concatenate([[0], np.random.default_rng(0).permutation(60000)[:499] + 1])
    a = image_scores(gt, pred)
    b = image_scores(lut[gt].astype(np.int64), lut[pred].astype(np.uint32))
    assert a == pytest.approx(b, abs=1e-12)


def test_dataset_scores_pool_correctly() -> None:
    gts = [blobs(5), blobs(6), np.zeros((48, 48), np.uint16)]
    preds = [np.roll(blobs(5), 2, axis=0), blobs(7), np.zeros((48, 48), np.uint16)]
    rows = [image_scores(g, p) for g, p in zip(gts, preds, strict=True)]
    d = dataset_scores(rows)
    m = matching_dataset(gts, preds, 0.5)
    assert (d["tp"], d["fp"], d["fn"], d["f1"]) == (m.tp, m.fp, m.fn, m.f1)
    assert d["mean_matched_iou"] == pytest.approx(m.mean_matched_score, abs=1e-12)
    assert d["seg"] == pytest.approx(ctc_seg(gts, preds), abs=1e-12)
    assert d["dsb_map"] == pytest.approx(np.mean([r["dsb_ap"] for r in rows]))
    tp = sum(r["dsb_tp_0.50"] for r in rows)
    assert d["dsb_ap_0.50"] == pytest.approx(tp / (d["n_gt"] + d["n_pred"] - tp))
    assert d["sbd"] == pytest.approx(np.mean([r["sbd"] for r in rows]))
    assert d["n_images"] == 3 and rows[2]["dsb_ap"] == 1.0 and rows[2]["seg_n"] == 0
    json.dumps({"metrics": d, "parameters": metric_parameters()})


def test_dataset_scores_reject_bad_rows() -> None:
    row = image_scores(blobs(1), blobs(1))
    with pytest.raises(InputError, match="no per-image"):
        dataset_scores([])
    with pytest.raises(InputError, match="non-finite"):
        dataset_scores([{**row, "sbd": float("nan")}])
    with pytest.raises(InputError, match="'seg_sum'"):
        dataset_scores([{k: v for k, v in row.items() if k != "seg_sum"}])


def test_metric_parameters_name_every_definition() -> None:
    params = metric_parameters()
    assert params["f1"]["threshold"] == 0.5 and "IoU >= threshold" in params["f1"]["definition"]
    assert "IoU > t" in params["dsb_map"]["definition"]
    assert {"arand_cremi", "arand_skimage", "seg", "sbd", "dice"} <= set(params)


@pytest.mark.parametrize("label_dtype", [np.uint8, np.uint16, np.uint32])
def test_numpy_contingency_route_equals_the_compiled_kernels(label_dtype: type) -> None:
    """Small images take NumPy passes, large ones the numba kernels: the same table."""
    from cellbench.metrics import _kernels, overlap

    rng = np.random.default_rng(3)
    gt = rng.integers(0, 40, (64, 80)).astype(label_dtype) * 3  # non-consecutive, some absent
    pred = rng.integers(0, 25, (64, 80)).astype(label_dtype)
    g, p = gt.ravel().astype(np.int64), pred.ravel().astype(np.int64)
    lut_g, n_g = _kernels.present_index(g, int(g.max()))
    lut_p, n_p = _kernels.present_index(p, int(p.max()))
    for ours, compiled in zip(
        (overlap._present_index(g, int(g.max())), overlap._present_index(p, int(p.max()))),
        ((lut_g, n_g), (lut_p, n_p)),
        strict=True,
    ):
        np.testing.assert_array_equal(ours[0], compiled[0])
        assert ours[0].dtype == compiled[0].dtype and ours[1] == compiled[1]
    expected = _kernels.pair_table(g, p, lut_g, lut_p, n_g, n_p)
    actual = overlap._pair_table(g, p, lut_g, lut_p, n_g, n_p)
    for ours, compiled in zip(actual, expected, strict=True):
        np.testing.assert_array_equal(ours, compiled)
        assert ours.dtype == compiled.dtype
