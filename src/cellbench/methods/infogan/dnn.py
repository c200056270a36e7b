"""DNN baseline of paper 002 (Sec. IV-C/D, Tables I and III): features of a ResNet-50 pretrained
on ImageNet-1k, then an L2-SVM (Table I) or k-means (Table III).

The paper gives no preprocessing for the cell crops; we do what the ImageNet weights expect:
the 32×32 crop is resized bilinearly to the network's 224×224 training input and normalised by
the ImageNet mean/std. Features are the block output globally average-pooled: ``layer3``
(1024-D, the dimension the paper prints for its "DNN" feature) or ``layer4`` (2048-D, the
penultimate layer torchvision's classifier reads). Weights: torchvision's ``IMAGENET1K_V1``
(the original 2015/2016 release, the only one when the paper was written), ``IMAGENET1K_V2``,
a local state dict (.pth), or ``none`` (random initialisation, for tests only).

torchvision is an optional dependency (extra ``dnn``, ``envs/torchvision.yaml``): it is
imported only when a model is built.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cellbench.errors import InputError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
WEIGHTS = {"imagenet": "IMAGENET1K_V1", "imagenet-v2": "IMAGENET1K_V2"}
LAYERS = ("layer1", "layer2", "layer3", "layer4")
FEATURE_DIMS = {"layer3": 1024, "layer4": 2048}
INSTALL_HINT = (
    "the DNN baseline needs torchvision with the PyPI torch (pip install 'cellbench[dnn]', or "
    "envs/torchvision.yaml with snakemake --sdm conda)"
)

log = logging.getLogger(__name__)


def _torchvision_resnet50():
    try:
        from torchvision.models import ResNet50_Weights, resnet50
    # A CPU-only torch build (+cpu) with PyPI's torchvision fails with RuntimeError, not
    # ImportError: its compiled operators need the CUDA build of torch.
    except (ImportError, RuntimeError) as error:
        raise RuntimeError(f"cannot import torchvision ({error}): {INSTALL_HINT}") from error
    return resnet50, ResNet50_Weights


def imagenet_state_dict(name: str) -> dict[str, torch.Tensor]:
    """torchvision's ResNet-50 weights ``name`` (IMAGENET1K_V1/V2), downloaded once into the
    torch hub cache (``$TORCH_HOME/hub/checkpoints``, default ``~/.cache/torch``)."""
    from torch.hub import get_dir, load_state_dict_from_url

    _, weights_enum = _torchvision_resnet50()
    weights = weights_enum[name]
    cached = Path(get_dir()) / "checkpoints" / Path(weights.url).name
    if cached.is_file():
        log.info("ResNet-50 %s weights: cached %s", name, cached)
    else:
        log.info(
            "ResNet-50 %s weights: downloading %s into %s (set TORCH_HOME to choose the cache; "
            "offline compute nodes: download it there beforehand or set "
            "methods.infogan.dnn.weights to a local .pth state dict)",
            name,
            weights.url,
            cached,
        )
    try:
        return load_state_dict_from_url(weights.url, progress=False, check_hash=True)
    except OSError as error:  # URLError (offline, proxy) is an OSError
        raise RuntimeError(
            f"could not download the ResNet-50 {name} weights from {weights.url} to {cached} "
            f"({error}); on a machine without internet place that file there (same name) or "
            "set methods.infogan.dnn.weights to a local .pth state dict"
        ) from error


def build_resnet50(weights: str, seed: int = 0) -> nn.Module:
    """torchvision's ResNet-50 in eval mode with ``weights``: ``imagenet`` (IMAGENET1K_V1),
    ``imagenet-v2`` (IMAGENET1K_V2), a .pth state dict path, or ``none`` (initialised from
    ``seed``; only for tests: its features are meaningless)."""
    resnet50, _ = _torchvision_resnet50()
    path = None
    if weights not in (*WEIGHTS, "none"):
        path = Path(weights)
        if not path.is_file():
            raise InputError(path, "ResNet-50 state dict not found")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = resnet50(weights=None)
    if weights in WEIGHTS:
        model.load_state_dict(imagenet_state_dict(WEIGHTS[weights]))
    elif path is not None:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except (RuntimeError, TypeError, AttributeError, OSError) as error:
            raise InputError(path, f"not a torchvision ResNet-50 state dict ({error})") from error
    return model.eval()


def check_crops(crops: np.ndarray) -> None:
    """Crops must be uint8 RGB (N, S, S, 3)."""
    if crops.ndim != 4 or crops.shape[-1] != 3 or crops.dtype != np.uint8:
        raise ValueError(f"crops must be uint8 (N, S, S, 3), got {crops.dtype} {crops.shape}")


def preprocess(crops: np.ndarray, input_size: int) -> torch.Tensor:
    """uint8 (N, S, S, 3) → float (N, 3, input_size, input_size): [0, 1], bilinear resize,
    ImageNet mean/std normalisation (torchvision's ImageNet evaluation transform less the
    centre crop, which would cut the cell)."""
    x = torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255.0
    if x.shape[-1] != input_size or x.shape[-2] != input_size:
        x = F.interpolate(x, size=(input_size, input_size), mode="bilinear", align_corners=False)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def trunk(model: nn.Module, x: torch.Tensor, layer: str) -> torch.Tensor:
    """ResNet stem and blocks up to ``layer``, then global average pooling: (N, C)."""
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    for name in LAYERS[: LAYERS.index(layer) + 1]:
        x = getattr(model, name)(x)
    return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


@torch.no_grad()
def resnet_features(
    model: nn.Module,
    crops: np.ndarray,
    *,
    layer: str = "layer3",
    input_size: int = 224,
    batch_size: int = 64,
    device: torch.device | str = "cpu",
) -> np.ndarray:
    """Globally average-pooled ResNet-50 ``layer`` features of uint8 crops: float32 (N, C).

    The model is put in eval mode (batch norm with its running statistics), so a crop's
    features do not depend on the batch it is in.
    """
    check_crops(crops)
    if layer not in FEATURE_DIMS:
        raise ValueError(f"layer must be one of {sorted(FEATURE_DIMS)}, got {layer!r}")
    model = model.eval().to(device)
    out = np.empty((len(crops), FEATURE_DIMS[layer]), np.float32)
    for start in range(0, len(crops), batch_size):
        x = preprocess(crops[start : start + batch_size], input_size).to(device)
        out[start : start + len(x)] = trunk(model, x, layer).cpu().numpy()
    return out
