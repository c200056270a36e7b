"""Device selection, seeding and the optional mixed precision of cellbench.device."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cellbench.device import autocast, seed_everything, select_device
from cellbench.provenance import device_description, provenance


def test_auto_selects_cuda_when_available_else_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert select_device("auto").type == expected
    assert select_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_explicit_cuda_without_cuda_fails_clearly():
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        select_device("cuda")


def test_seed_everything_is_reproducible():
    first = seed_everything(7)
    a = (first.random(3), torch.rand(3), np.random.rand(3))  # noqa: NPY002
    second = seed_everything(7)
    b = (second.random(3), torch.rand(3), np.random.rand(3))  # noqa: NPY002
    np.testing.assert_array_equal(a[0], b[0])
    assert torch.equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])


@pytest.mark.parametrize("enabled", [False, True])
def test_autocast_is_a_no_op_on_cpu(enabled):
    x = torch.randn(4, 4)
    with autocast("cpu", enabled):
        assert not torch.is_autocast_enabled("cuda")
        y = x @ x
    assert y.dtype == torch.float32
    assert torch.equal(y, x @ x)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_autocast_on_cuda_computes_in_reduced_precision():
    x = torch.randn(8, 8, device="cuda")
    with autocast("cuda", True):
        assert (x @ x).dtype == torch.bfloat16
    with autocast("cuda", True, dtype=torch.float16):
        assert (x @ x).dtype == torch.float16
    assert (x @ x).dtype == torch.float32


def test_device_is_recorded_in_provenance():
    record = provenance(seed=1, device="cpu")
    assert record["device"].startswith("cpu")
    assert record["device"] == device_description("cpu")
    if torch.cuda.is_available():
        assert torch.cuda.get_device_name(0) in device_description("cuda")
