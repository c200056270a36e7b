"""Exponential parameter schedules of paper 000, eqs. 4 and 5."""

from __future__ import annotations

import numpy as np


def exponential_schedule(start: float, end: float, t: float, total: float) -> float:
    """``start · (end / start) ** (t / total)``: eq. 4 for R(t), eq. 5 for ε(t).

    ``t`` is the epoch (0-based), ``total`` the number of epochs T; at ``t = 0`` the value is
    ``start`` and it would reach ``end`` at ``t = T``.
    """
    if start <= 0 or end <= 0:
        raise ValueError(f"schedule bounds must be positive, got {start} and {end}")
    if total <= 0:
        raise ValueError(f"total number of epochs must be positive, got {total}")
    return float(start * (end / start) ** (t / total))


def neighbourhood_range(t: float, total: float, r0: float, r_fin: float) -> float:
    """R(t) of eq. 4."""
    return exponential_schedule(r0, r_fin, t, total)


def learning_rate(t: float, total: float, eps0: float, eps_fin: float) -> float:
    """ε(t) of eq. 5."""
    return exponential_schedule(eps0, eps_fin, t, total)


def rank_weights(k: int, radius: float) -> np.ndarray:
    """h(r) = exp(−r / R) for ranks r = 0 … k−1 (eq. 3), in float64."""
    return np.exp(-np.arange(k, dtype=np.float64) / radius)


def epoch_schedule(
    epochs: int, eps0: float, eps_fin: float, r0: float, r_fin: float, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-epoch learning rates ε(t) and rank-weight tables h(r; R(t)), shapes (T,) and (T, k).

    Computed once in NumPy and shared by the compiled kernel and the reference implementation,
    so that both use bit-identical weights.
    """
    eps = np.array([learning_rate(t, epochs, eps0, eps_fin) for t in range(epochs)])
    weights = np.stack(
        [rank_weights(k, neighbourhood_range(t, epochs, r0, r_fin)) for t in range(epochs)]
    )
    return eps, weights


def epoch_orders(n: int, epochs: int, rng: np.random.Generator) -> np.ndarray:
    """A new random order of the ``n`` data points for every epoch, shape (T, n)."""
    return np.stack([rng.permutation(n) for _ in range(epochs)]).astype(np.int64)
