"""Classical reference method: global threshold, distance-transform seeds, watershed.

Everything is fitted on the labelled **training** split (never the test split):

* the typical object radius r (median equivalent radius of the training objects, at the scale
  the images are segmented at: the dataset's scale factor) sets the
  Gaussian pre-smoothing (``smoothing_fraction`` × r, so textured nuclei become blobs), the
  opening that removes specks, the minimal distance between watershed seeds and the smallest
  object kept;
* the grey channel (channel mean; for colour images also haematoxylin by colour deconvolution
  and excess green) and the threshold rule (Otsu, Otsu on log-intensity, Li's minimum
  cross-entropy) are chosen by the pooled F1 (IoU ≥ 0.5) on up to ``fit_images`` fully annotated
  training images.
  Plain Otsu keeps only the bright spots of dim, textured fluorescent nuclei next to bright
  ones; on log-intensity (fluorescence on a dark background) or with Li's rule the dim nuclei
  are kept; on H&E the haematoxylin channel separates nuclei from stroma, on plant images the
  excess-green index separates leaves from soil of a similar brightness.

A dataset annotated with points only (bone-marrow dataset A) has no masks to measure r or to
choose on: r is the config's ``points_radius``, the channel ``points_channel``, the threshold
the first of ``thresholds``; its dots still score the predictions (shared evaluation).

This baseline is the first row of every table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from skimage import color, filters, measure, morphology, segmentation
from skimage.feature import peak_local_max

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import write_json
from cellbench.methods.contract import working_scale
from cellbench.methods.otsu_watershed.config import Channel, OtsuWatershedConfig, Threshold
from cellbench.provenance import provenance

log = logging.getLogger(__name__)

DEFAULTS = OtsuWatershedConfig()
LOG_EPS = 1e-3  # offset of log-intensity on the [0, 1] grey scale
CHROMA = 0.02  # mean |channel − grey| (fraction of the range) above which an image is colour


@dataclass(frozen=True)
class OtsuWatershedModel:
    """Parameters of the baseline.

    object_radius: typical object radius in pixels (median over training objects).
    smoothing_sigma: Gaussian pre-smoothing in pixels before thresholding.
    min_size_fraction: objects smaller than this fraction of a disk of ``object_radius`` are dropped.
    threshold: ``otsu`` (Otsu 1979), ``log_otsu`` (Otsu on log-intensity) or ``li`` (Li & Lee
        1993, minimum cross-entropy).
    channel: ``mean`` (channel mean), ``haematoxylin`` (colour deconvolution, Ruifrok &
        Johnston 2001) or ``excess_green`` (2g − r − b of the chromatic coordinates, Woebbecke et
        al. 1995); grey images fall back to ``mean``.
    seed_distance_fraction: minimal distance between watershed seeds as a fraction of the radius.
    opening_fraction: radius of the opening that removes specks, as a fraction of the radius.
    """

    object_radius: float
    smoothing_sigma: float = 1.0
    min_size_fraction: float = DEFAULTS.min_size_fraction
    threshold: Threshold = "otsu"
    channel: Channel = "mean"
    seed_distance_fraction: float = DEFAULTS.seed_distance_fraction
    opening_fraction: float = 0.0

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Instance labels (uint32) of one image, same height and width as ``image``."""
        grey = to_grey(image, self.channel)
        smooth = filters.gaussian(grey, sigma=self.smoothing_sigma)
        if np.ptp(smooth) == 0:
            return np.zeros(grey.shape, dtype=np.uint32)
        # Objects cover less area than background: the minority side of Otsu is foreground, so
        # that dark nuclei on bright background (brightfield, H&E) are handled like fluorescence.
        if (smooth > filters.threshold_otsu(smooth)).mean() > 0.5:
            smooth = smooth.max() - smooth
        foreground = smooth > threshold_value(smooth, self.threshold)
        opening = max(1, round(self.opening_fraction * self.object_radius))
        foreground = ndi.binary_fill_holes(morphology.opening(foreground, morphology.disk(opening)))
        distance = ndi.distance_transform_edt(foreground)
        min_distance = max(1, round(self.seed_distance_fraction * self.object_radius))
        peaks = peak_local_max(
            distance,
            min_distance=min_distance,
            labels=measure.label(foreground),
            exclude_border=False,
        )
        markers = np.zeros(grey.shape, dtype=np.int32)
        markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
        labels = segmentation.watershed(-distance, markers, mask=foreground)
        min_size = self.min_size_fraction * np.pi * self.object_radius**2
        labels = remove_small(labels, min_size)
        relabelled, _, _ = segmentation.relabel_sequential(labels)
        return relabelled.astype(np.uint32)


def remove_small(labels: np.ndarray, min_size: float) -> np.ndarray:
    """Drop labelled objects with fewer than ``min_size`` pixels."""
    sizes = np.bincount(labels.ravel())
    small = sizes < min_size
    small[0] = False
    return np.where(small[labels], 0, labels)


def threshold_value(smooth: np.ndarray, method: Threshold) -> float:
    """Global threshold of a [0, 1] image (objects bright) by the named rule."""
    if method == "otsu":
        return float(filters.threshold_otsu(smooth))
    if method == "log_otsu":
        return float(np.exp(filters.threshold_otsu(np.log(smooth + LOG_EPS))) - LOG_EPS)
    if method == "li":
        return float(filters.threshold_li(smooth))
    raise ValueError(f"unknown threshold {method!r}")


def is_colour(image: np.ndarray) -> bool:
    """True for a 3/4-channel image whose colour channels differ noticeably (H&E, not grey RGB)."""
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        return False
    rgb = np.asarray(image[..., :3], dtype=np.float64)
    span = float(rgb.max() - rgb.min())
    if span == 0:
        return False
    return float(np.abs(rgb - rgb.mean(-1, keepdims=True)).mean()) > CHROMA * span


def to_grey(image: np.ndarray, channel: Channel = "mean") -> np.ndarray:
    """Float grey image in [0, 1], min–max scaled.

    ``mean``: channel mean of a multi-channel image (alpha of RGBA ignored). ``haematoxylin``:
    the haematoxylin density of a colour image; ``excess_green``: 2g − r − b with r, g, b the
    chromatic coordinates (each channel over their sum) of a colour image (grey images: the mean).
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise InputError(None, f"expected a 2-D or channels-last image, got shape {image.shape}")
    if image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    if channel == "haematoxylin" and is_colour(image):
        rgb = image.astype(np.float64)
        grey = color.rgb2hed(rgb / max(float(rgb.max()), 1e-12))[..., 0]
    elif channel == "excess_green" and is_colour(image):
        rgb = image.astype(np.float64)
        chromatic = rgb / np.maximum(rgb.sum(axis=-1, keepdims=True), 1e-12)
        grey = 2 * chromatic[..., 1] - chromatic[..., 0] - chromatic[..., 2]
    else:
        grey = image.astype(np.float64)
        if grey.ndim == 3:
            grey = grey.mean(axis=-1)
    low, high = grey.min(), grey.max()
    return (grey - low) / (high - low) if high > low else np.zeros_like(grey)


def estimate_object_radius(dataset: PreparedDataset, split: str = "train") -> float:
    """Median equivalent radius of the labelled objects of one split."""
    areas: list[np.ndarray] = []
    for image_id in dataset.image_ids(split=split, labelled=True):
        labels = dataset.labels(image_id)
        counts = np.bincount(labels.ravel())[1:]
        areas.append(counts[counts > 0])
    if not areas or not np.concatenate(areas).size:
        raise InputError(
            dataset.root, f"no labelled objects in split {split!r} to fit the baseline"
        )
    return float(np.sqrt(np.median(np.concatenate(areas)) / np.pi))


def fit_model(
    dataset: PreparedDataset, config: OtsuWatershedConfig = DEFAULTS, split: str = "train"
) -> tuple[OtsuWatershedModel, list[dict[str, float | str]]]:
    """The baseline fitted on ``split``: radius, then channel × threshold by pooled F1.

    The shared prediction code segments images resized by the working scale (the dataset's
    scale × the config's ``scale``), so the radius is measured at that scale and the candidates are scored
    on resized images (labels mapped back to the ground truth's size). Returns the model and
    the score of every candidate (ties: SEG, then the listed order).
    """
    from cellbench.methods.predict import rescale_image, restore_labels
    from cellbench.metrics import dataset_scores, image_scores

    scale = working_scale(dataset, config.scale)
    if dataset.annotation == "points":
        if config.points_radius is None:
            raise InputError(
                dataset.root / "dataset.json",
                "annotated with points only: set methods.otsu_watershed.points_radius (pixels)",
            )
        radius, ids = config.points_radius * scale, []
    else:
        radius = estimate_object_radius(dataset, split) * scale
        ids = dataset.evaluation_ids(split)
    if len(ids) > config.fit_images:
        picks = np.linspace(0, len(ids) - 1, config.fit_images).round().astype(int)
        ids = [ids[i] for i in picks]
    pairs = [(rescale_image(dataset.image(i), scale), dataset.labels(i)) for i in ids]
    channels: list[Channel] = ["mean"]
    if any(is_colour(image) for image, _ in pairs):
        channels += ["haematoxylin", "excess_green"]
    base = OtsuWatershedModel(
        object_radius=radius,
        smoothing_sigma=max(1.0, config.smoothing_fraction * radius),
        min_size_fraction=config.min_size_fraction,
        seed_distance_fraction=config.seed_distance_fraction,
        opening_fraction=config.opening_fraction,
        threshold=config.thresholds[0],
        channel=config.points_channel if dataset.annotation == "points" else "mean",
    )
    candidates = [
        OtsuWatershedModel(**{**asdict(base), "threshold": threshold, "channel": channel})
        for channel in channels
        for threshold in config.thresholds
    ]
    if not pairs:
        log.warning(
            "no fully annotated %s image: channel %s and threshold %s not fitted",
            split,
            base.channel,
            base.threshold,
        )
        return base, []
    scores = []
    for model in candidates:
        pooled = dataset_scores(
            [image_scores(gt, restore_labels(model.segment(img), gt.shape)) for img, gt in pairs]
        )
        scores.append(
            {
                "channel": model.channel,
                "threshold": model.threshold,
                "f1": float(pooled["f1"]),
                "seg": float(pooled["seg"]),
            }
        )
        log.info(
            "%s / %s: F1 %.3f SEG %.3f",
            model.channel,
            model.threshold,
            pooled["f1"],
            pooled["seg"],
        )
    best = max(range(len(candidates)), key=lambda i: (scores[i]["f1"], scores[i]["seg"], -i))
    return candidates[best], scores


def fit(
    dataset_root: str | Path,
    out: str | Path,
    config: OtsuWatershedConfig = DEFAULTS,
    *,
    config_digest: str | None = None,
) -> Path:
    """Fit the baseline on the training split and write its model JSON atomically."""
    dataset = PreparedDataset(dataset_root)
    model, scores = fit_model(dataset, config)
    log.info("otsu_watershed on %s: %s", dataset.name, model)
    record = {
        "method": "otsu_watershed",
        "dataset": dataset.name,
        "model": asdict(model),
        "fit_scores": scores,
        "provenance": provenance(config_digest=config_digest, device="cpu"),
    }
    return write_json(out, record)


def load(model_path: str | Path, device: str = "auto") -> OtsuWatershedModel:
    """Load a fitted baseline (``device`` is accepted for interface symmetry; CPU only)."""
    path = Path(model_path)
    try:
        record = json.loads(path.read_text())
        return OtsuWatershedModel(**record["model"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not an otsu_watershed model file ({exc})") from exc
