"""spoco (paper 004, Wolny et al. CVPR 2022): sparse object-level supervision of pixel embeddings.

Modules: config (pydantic), model (U-Net), losses (Eq. 1–7), sampling (training modes),
augment, train (f + EMA twin g), clustering (HDBSCAN, mean-shift, consistency, mutex
watershed), infer (embeddings and their files, the contract's ``load``), labels (clustering of
embedding files into labels, without torch).
"""

from __future__ import annotations

from cellbench.lazy import lazy_getattr

# Heavy modules (torch) are imported on first use (cellbench.lazy).
_EXPORTS = {"load": "infer"}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
