"""Classical reference method: per-image Otsu threshold, distance-transform peaks, watershed.

The only learnt quantity is the typical object radius, estimated as the median equivalent
radius of the ground-truth objects of the training split; it sets the minimal distance between
watershed seeds and the smallest object kept. This baseline is the first row of every table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from skimage import filters, measure, morphology, segmentation
from skimage.feature import peak_local_max

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.otsu_watershed.config import OtsuWatershedConfig
from cellbench.provenance import provenance

DEFAULTS = OtsuWatershedConfig()


@dataclass(frozen=True)
class OtsuWatershedModel:
    """Parameters of the baseline.

    object_radius: typical object radius in pixels (median over training objects).
    smoothing_sigma: Gaussian pre-smoothing in pixels before thresholding.
    min_size_fraction: objects smaller than this fraction of a disk of ``object_radius`` are dropped.
    """

    object_radius: float
    smoothing_sigma: float = DEFAULTS.smoothing_sigma
    min_size_fraction: float = DEFAULTS.min_size_fraction

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Instance labels (uint32) of one image, same height and width as ``image``."""
        grey = to_grey(image)
        smooth = filters.gaussian(grey, sigma=self.smoothing_sigma)
        if np.ptp(smooth) == 0:
            return np.zeros(grey.shape, dtype=np.uint32)
        threshold = filters.threshold_otsu(smooth)
        above = smooth > threshold
        # Objects cover less area than background: the minority side is foreground, so that
        # dark nuclei on bright background (brightfield, H&E) are handled like fluorescence.
        foreground = above if above.mean() <= 0.5 else ~above
        foreground = ndi.binary_fill_holes(morphology.opening(foreground, morphology.disk(1)))
        distance = ndi.distance_transform_edt(foreground)
        min_distance = max(1, round(0.7 * self.object_radius))
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
        labels = morphology.remove_small_objects(labels, max_size=int(min_size))
        relabelled, _, _ = segmentation.relabel_sequential(labels)
        return relabelled.astype(np.uint32)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Float grey image in [0, 1]: channel mean for multi-channel images, min–max scaled."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3:
        image = image.mean(axis=-1)
    if image.ndim != 2:
        raise InputError(None, f"expected a 2-D or channels-last image, got shape {image.shape}")
    low, high = image.min(), image.max()
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


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


def fit(
    dataset_root: str | Path,
    out: str | Path,
    config: OtsuWatershedConfig = DEFAULTS,
    *,
    config_digest: str | None = None,
) -> Path:
    """Fit the baseline on the training split and write its model JSON atomically."""
    dataset = PreparedDataset(dataset_root)
    model = OtsuWatershedModel(
        object_radius=estimate_object_radius(dataset),
        smoothing_sigma=config.smoothing_sigma,
        min_size_fraction=config.min_size_fraction,
    )
    record = {
        "method": "otsu_watershed",
        "dataset": dataset.name,
        "model": asdict(model),
        "provenance": provenance(config_digest=config_digest, device="cpu"),
    }
    with atomic_path(out) as tmp:
        tmp.write_text(json.dumps(record, indent=2) + "\n")
    return Path(out)


def load(model_path: str | Path, device: str = "auto") -> OtsuWatershedModel:
    """Load a fitted baseline (``device`` is accepted for interface symmetry; CPU only)."""
    path = Path(model_path)
    try:
        record = json.loads(path.read_text())
        return OtsuWatershedModel(**record["model"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not an otsu_watershed model file ({exc})") from exc
