"""The authors' cLoG nuclei detection (nu_gan ``segmentation_functions.cell_segment``), an option.

After the haematoxylin threshold and hole filling, their code seeds nuclei with a constrained
Laplacian of Gaussian (Al-Kofahi et al., IEEE TBME 57(4), 2010; σ from 5√2 to 30√2), groups the
foreground pixels by local-maximum clustering (Wu et al., EURASIP JASP 2004; radius 10), drops
clusters under 200 px, removes thin protrusions by compaction (Weinert et al., Sci. Rep. 2:503,
2012; d = 3) and labels the 4-connected components of what is left. The four steps follow
HistomicsTK's ``filters.shape.clog``, ``segmentation.nuclear.max_clustering``,
``segmentation.label.area_open`` (here the baseline's ``remove_small``) and
``segmentation.label.compact``, which the code calls.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage import measure

from cellbench.methods.otsu_watershed import remove_small


def clog(image: np.ndarray, mask: np.ndarray, sigma_min: float, sigma_max: float):
    """Maximal scale-normalised LoG response σ²·∇²G_σ * image over σ = ⌊σ_min⌋, …, ⌈σ_max⌉
    (step 1), each pixel's σ bounded by clip(2 × its distance to the background, σ_min, σ_max).

    ``image``: dark objects on a light background (positive response at their centres).
    Returns the response (0 where no σ was allowed) and the σ of the maximum.
    """
    image = image.astype(np.float64)
    bound = np.clip(2.0 * ndi.distance_transform_edt(mask), sigma_min, sigma_max)
    lowest = np.finfo(np.float64).min
    best = np.full(image.shape, lowest)
    best_sigma = np.zeros(image.shape)
    start, stop = int(np.floor(sigma_min)), int(np.ceil(sigma_max))
    for sigma in np.linspace(start, stop, stop - start + 1):
        response = sigma**2 * ndi.gaussian_laplace(image, sigma, mode="mirror")
        response[bound < sigma] = lowest
        better = response > best
        best[better] = response[better]
        best_sigma[better] = sigma
    best[best == lowest] = 0.0
    return best, best_sigma


def max_clustering(response: np.ndarray, mask: np.ndarray, radius: float = 10.0) -> np.ndarray:
    """Local-maximum clustering: each foreground pixel points to the largest foreground response
    within ``radius`` (the first in x-major, y-minor offset order among equals; itself if none
    is larger), pointers are followed to their peak, and the pixels of one peak share its label
    (peaks = 8-connected foreground pixels whose response equals their peak's)."""
    mask = mask.astype(bool)
    height, width = response.shape
    if not mask.any() or response.max() == response.min():
        return np.zeros(response.shape, np.int32)
    r = int(radius + 0.5)
    padded = np.pad(np.where(mask, response, -np.inf), r, constant_values=-np.inf)
    index = np.arange(height * width).reshape(height, width)
    best = response.astype(np.float64).copy()
    target = index.copy()
    for ox in range(-r, r + 1):
        for oy in range(-r, r + 1):
            if ox * ox + oy * oy > radius * radius:
                continue
            shifted = padded[r + oy : r + oy + height, r + ox : r + ox + width]
            better = shifted > best
            best[better] = shifted[better]
            target[better] = index[better] + oy * width + ox
    pointer = np.where(mask, target, index).ravel()
    while True:  # pointer jumping: each step at least doubles the followed path
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            break
        pointer = jumped
    peak_value = response.ravel()[pointer].reshape(response.shape)
    labels = measure.label(mask & (response == peak_value))
    flat = labels.ravel()
    flat[mask.ravel()] = flat[pointer[mask.ravel()]]
    return flat.reshape(response.shape).astype(np.int32)


def compact(mask: np.ndarray, compaction: int = 3) -> np.ndarray:
    """Thin protrusions removed from a binary mask (Weinert et al. 2012): taxicab distance to
    the background, then for i = d−1 … 1 the pixels at distance i whose 4-neighbours are all
    < i + 1 are decremented; pixels at 0 are dropped."""
    distance = ndi.distance_transform_cdt(mask, metric="taxicab")
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    for i in range(compaction - 1, 0, -1):
        neighbours = ndi.maximum_filter(distance, footprint=cross)
        distance[(distance == i) & (neighbours < i + 1)] -= 1
    return distance > 0


def clog_labels(
    haematoxylin: np.ndarray,
    foreground: np.ndarray,
    sigma: tuple[float, float],
    radius: float,
    min_size: int,
    compaction: int,
) -> np.ndarray:
    """The code's detection: cLoG -> max clustering -> clusters < ``min_size`` dropped ->
    compaction -> 4-connected components."""
    response, _ = clog(haematoxylin, foreground, *sigma)
    clusters = remove_small(max_clustering(response, foreground, radius), min_size)
    return measure.label(compact(clusters > 0, compaction), connectivity=1)
