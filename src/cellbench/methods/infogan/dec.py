"""Deep Embedded Clustering (Xie et al. 2016), the HOG + DEC baseline of paper 002 Table III:
a small fully connected autoencoder, k-means on its code, then KL(P ‖ Q) refinement with the
Student-t soft assignment and the sharpened target distribution."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from torch import nn


class DEC(nn.Module):
    def __init__(self, dim: int, k: int, hidden: int = 256, code: int = 10) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, code),
        )  # fmt: skip
        self.decoder = nn.Sequential(
            nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, dim),
        )  # fmt: skip
        self.centres = nn.Parameter(torch.zeros(k, code))

    def soft_assign(self, x: torch.Tensor) -> torch.Tensor:
        """Student-t (α = 1) soft assignment q_ij of DEC eq. 1."""
        d2 = torch.cdist(self.encoder(x), self.centres) ** 2
        q = 1.0 / (1.0 + d2)
        return q / q.sum(1, keepdim=True)


def target_distribution(q: torch.Tensor) -> torch.Tensor:
    """DEC eq. 3: p_ij ∝ q_ij² / f_j, f_j = Σ_i q_ij."""
    w = q**2 / q.sum(0)
    return w / w.sum(1, keepdim=True)


def fit_dec(
    features: np.ndarray, k: int, seed: int, pretrain_epochs: int = 100, epochs: int = 100
) -> DEC:
    """Pretrain the autoencoder (MSE, Adam 1e-3, full batch), k-means init, KL refinement."""
    torch.manual_seed(seed)
    x = torch.as_tensor(features, dtype=torch.float32)
    model = DEC(x.shape[1], k)
    opt = torch.optim.Adam([*model.encoder.parameters(), *model.decoder.parameters()], 1e-3)
    for _ in range(pretrain_epochs):
        loss = ((model.decoder(model.encoder(x)) - x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        code = model.encoder(x).numpy()
    km = KMeans(k, n_init=10, random_state=seed).fit(code)
    model.centres.data = torch.as_tensor(km.cluster_centers_, dtype=torch.float32)
    opt = torch.optim.Adam([*model.encoder.parameters(), model.centres], 1e-3)
    for epoch in range(epochs):
        if epoch % 10 == 0:
            with torch.no_grad():
                p = target_distribution(model.soft_assign(x))
        q = model.soft_assign(x)
        loss = nn.functional.kl_div(q.log(), p, reduction="batchmean")
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@torch.no_grad()
def dec_predict(model: DEC, features: np.ndarray) -> np.ndarray:
    return model.soft_assign(torch.as_tensor(features, dtype=torch.float32)).argmax(1).numpy()
