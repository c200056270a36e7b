"""infogan (paper 002, Hu et al. 2019): nuclei segmentation, WGAN-GP + InfoGAN on cell crops.

Modules: ``config`` (pydantic configuration), ``stain`` (Reinhard, Macenko), ``nuclei``
(unsupervised nuclei segmentation, ``fit`` and ``load``), ``crops`` (32×32 cell crops), ``networks``
(generator, critic + Q on one trunk), ``losses`` (eq. 10–12), ``train``, ``evaluate``
(Tables I–IV protocols).
"""

from __future__ import annotations

from cellbench.lazy import lazy_getattr

_EXPORTS = {
    "InfoganConfig": "config",
    "SegmentationConfig": "config",
    "NucleiSegmenter": "nuclei",
    "fit": "nuclei",
    "load": "nuclei",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
