"""Patch similarities (paper §2.4) and the contrastive loss (paper §2.5, Eq. 7–9).

``paper``: for each channel k with positives P_k and negatives N_k pooled over the batch,

    L_intra = −Σ_k 1/|P_k|² Σ_{r,p∈P_k} log( exp s(r,p) / Σ_{n∈N_k} exp s(r,n) )      (Eq. 7)
    L_inter = −Σ_k 1/|P_k|² Σ_{r,p∈P_k} exp s(r,p) / Σ_{i≠k} Σ_{q∈P_i} exp s(r,q)    (Eq. 8)

(the positive is not in the denominator; Eq. 8 as printed, without a log). A channel's
intra term is left out when it has no positive or no negative, its inter term when no other
channel has a positive (the paper does not say; docs/deviations.md).

``code`` (nickeopti/bach-contrastive-segmentation): per channel, n references r drawn with
replacement from the pooled positives are compared with all pooled positives (r included);
both terms use −log; the sum is divided by n²·batch; the whole batch is skipped (None) when
any channel lacks a positive or a negative.
"""

from __future__ import annotations

import torch

from cellbench.methods.contrastive.config import LossVariant, Similarity

_LOG_FLOOR = -100.0  # torch.nn.functional.binary_cross_entropy clamps its logs here


def similarity_matrix(a: torch.Tensor, b: torch.Tensor, kind: Similarity) -> torch.Tensor:
    """s(a_i, b_j) for patch stacks a (m, ...) and b (n, ...): an (m, n) matrix.

    mse: −mean((a−b)²); ce: −mean BCE(a as prediction, b as target) = mean(b log a +
    (1−b) log(1−a)), logs floored at −100 as in PyTorch.
    """
    a, b = a.flatten(1), b.flatten(1)
    dim = a.shape[1]
    if kind == "mse":
        sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return -sq.clamp_min(0) / dim
    if kind == "ce":
        log_a = torch.log(a).clamp_min(_LOG_FLOOR)
        log_1a = torch.log(1 - a).clamp_min(_LOG_FLOOR)
        return (log_a @ b.T + log_1a @ (1 - b).T) / dim
    raise ValueError(f"unknown similarity {kind!r} (mse, ce)")


def paper_loss(
    sim: torch.Tensor, channel: torch.Tensor, positive: torch.Tensor, channels: int
) -> torch.Tensor:
    """Eq. 7 + Eq. 8 from the (N, N) similarities of all drawn patches."""
    total = sim.new_zeros(())
    for k in range(channels):
        pos = positive & (channel == k)
        neg = ~positive & (channel == k)
        others = positive & (channel != k)
        n_pos = int(pos.sum())
        if n_pos == 0:
            continue
        s_pp = sim[pos][:, pos]  # (|P|, |P|): rows r, columns p
        if neg.any():
            lse_neg = torch.logsumexp(sim[pos][:, neg], dim=1, keepdim=True)
            total = total - (s_pp - lse_neg).sum() / n_pos**2
        if others.any():
            denom = torch.exp(sim[pos][:, others]).sum(1, keepdim=True)
            total = total - (torch.exp(s_pp) / denom).sum() / n_pos**2
    return total


def code_loss(
    sim: torch.Tensor,
    channel: torch.Tensor,
    positive: torch.Tensor,
    channels: int,
    n: int,
    batch: int,
    generator: torch.Generator,
) -> torch.Tensor | None:
    """The authors' code variant; None when a channel lacks positives or negatives."""
    masks = [(positive & (channel == k), ~positive & (channel == k)) for k in range(channels)]
    if any(not pos.any() or not neg.any() for pos, neg in masks):
        return None
    total = sim.new_zeros(())
    for k, (pos, neg) in enumerate(masks):
        pos_idx = torch.nonzero(pos).squeeze(1)
        refs = pos_idx[torch.randint(len(pos_idx), (n,), generator=generator)]
        s_rp = sim[refs][:, pos]
        lse_neg = torch.logsumexp(sim[refs][:, neg], dim=1, keepdim=True)
        total = total - (s_rp - lse_neg).sum()
        others = positive & (channel != k)
        if others.any():
            lse_other = torch.logsumexp(sim[refs][:, others], dim=1, keepdim=True)
            total = total - (s_rp - lse_other).sum()
    return total / (n * n * batch)


def contrastive_loss(
    features: torch.Tensor,
    channel: torch.Tensor,
    positive: torch.Tensor,
    *,
    channels: int,
    similarity: Similarity,
    variant: LossVariant,
    n: int,
    batch: int,
    generator: torch.Generator,
) -> torch.Tensor | None:
    """Loss of one batch of attended patches ``features`` (N, C, s, s) (Eq. 9)."""
    sim = similarity_matrix(features, features, similarity)
    if variant == "paper":
        return paper_loss(sim, channel, positive, channels)
    return code_loss(sim, channel, positive, channels, n, batch, generator)
