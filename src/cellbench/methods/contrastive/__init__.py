"""contrastive (paper 003, Boserup & Selvan, NLDL 2023): patch-based contrastive self-supervision.

A small dilated residual FCNN predicts K confidence maps; patches drawn by their entropy are
contrasted (Eq. 7–9); the best epoch and channel are chosen on the training labels. Baselines:
the optimal global intensity threshold (:mod:`.threshold`) and the same network trained with
binary cross-entropy (:mod:`.supervised`).
"""

from __future__ import annotations

from cellbench.lazy import lazy_getattr

# Heavy modules (torch) are imported on first use (cellbench.lazy).
_EXPORTS = {"load": "segmenter"}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
