"""3-class targets from instance masks (paper 000, Section II-C and Fig. 1).

Class 0 = background, 1 = cell (interior), 2 = cell border: a ring of ``width`` pixels inside
every object along its boundary, which also separates touching objects (both sides of a contact
are border).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import find_boundaries

BACKGROUND, CELL, BORDER = 0, 1, 2


def three_class_targets(labels: np.ndarray, width: int = 1) -> np.ndarray:
    """uint8 map of background / cell / border from an instance label image."""
    if labels.ndim != 2:
        raise ValueError(f"labels must be 2-D, got shape {labels.shape}")
    if width < 1:
        raise ValueError(f"border width must be >= 1, got {width}")
    labels = np.asarray(labels)
    targets = np.where(labels > 0, CELL, BACKGROUND).astype(np.uint8)
    border = find_boundaries(labels, connectivity=1, mode="inner") & (labels > 0)
    if width > 1:
        # grow the ring inwards, staying inside the object it belongs to
        grown = ndi.binary_dilation(border, iterations=width - 1)
        same_object = ndi.grey_dilation(np.where(border, labels, 0), size=2 * width - 1) == labels
        border |= grown & (labels > 0) & same_object
    targets[border] = BORDER
    return targets
