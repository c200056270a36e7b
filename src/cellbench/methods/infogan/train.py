"""Training of paper 002's WGAN-GP + InfoGAN (eq. 9–12, Sec. IV-B "Network Parameters").

Per generator iteration: ``critic_steps`` critic updates (fresh real batch each, eq. 10 with
λ1), one generator update (eq. 11), one info update of G, the shared trunk and the Q head
(eq. 12 with λ2, reusing the generator step's (c, z) as the authors' code does).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.checkpoints import read_checkpoint
from cellbench.device import seed_everything, select_device
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.crops import to_network
from cellbench.methods.infogan.losses import (
    critic_loss,
    generator_loss,
    gradient_penalty,
    info_loss,
)
from cellbench.methods.infogan.networks import Critic, Generator, sample_code
from cellbench.metrics.clustering import purity
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


@dataclass
class History:
    """Fig. 9 curves, one point every ``log_every`` generator iterations."""

    iteration: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)  # V(D, G), eq. 8
    info: list[float] = field(default_factory=list)  # L_Q, eq. 12
    purity: list[float] = field(default_factory=list)  # Q purity on the monitored cells


def augment(batch: torch.Tensor, mode: str, generator: torch.Generator) -> torch.Tensor:
    """Per sample: rot90 × {0, 1, 2, 3} (paper) or flips {none, ud, lr, both} (code)."""
    if mode == "none":
        return batch
    choice = torch.randint(4, (len(batch),), generator=generator).to(batch.device)
    out = batch.clone()
    for k in range(1, 4):
        sel = choice == k
        if not sel.any():
            continue
        if mode == "rotations":
            out[sel] = torch.rot90(batch[sel], k, dims=(2, 3))
        else:
            dims = {1: (2,), 2: (3,), 3: (2, 3)}[k]
            out[sel] = torch.flip(batch[sel], dims=dims)
    return out


def generator_iterations(config: InfoganConfig, n_cells: int) -> int:
    """``config.iterations`` or the paper's epochs over the (×4) augmented cells."""
    if config.iterations:
        return config.iterations
    factor = 1 if config.augmentation == "none" else 4
    return max(1, math.ceil(config.epochs * n_cells * factor / config.batch_size))


@torch.no_grad()
def q_assign(critic: Critic, crops: np.ndarray, batch: int = 256) -> np.ndarray:
    """argmax_c Q(c | x) of uint8 crops (N, H, W, 3): the cluster of each real cell."""
    critic.eval()
    device = next(critic.parameters()).device
    x = torch.from_numpy(to_network(crops))
    out = [critic(x[i : i + batch].to(device))[1].argmax(1).cpu() for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros(0, np.int64)


@torch.no_grad()
def block_features(critic: Critic, crops: np.ndarray, batch: int = 256) -> np.ndarray:
    """Table I features (N, 4 · width · 16) of uint8 crops."""
    critic.eval()
    x = torch.from_numpy(to_network(crops))
    return torch.cat([critic.block_features(x[i : i + batch]) for i in range(0, len(x), batch)])


class Trainer:
    """The networks, optimisers and random stream of one run; :meth:`iteration` is one generator
    iteration. Random draws come from a CPU generator, so a seed gives the same draws on every
    device (and bit-identical results on the CPU)."""

    def __init__(
        self, crops: np.ndarray, config: InfoganConfig, seed: int, device: torch.device
    ) -> None:
        if len(crops) < 2:
            raise InputError(None, f"need at least 2 cell crops to train, got {len(crops)}")
        seed_everything(seed)
        self.config = config
        self.device = device
        self.rng = torch.Generator().manual_seed(seed)
        self.real = torch.from_numpy(to_network(crops)).to(device)
        self.gen = Generator(config.categories, config.noise_dim, config.width, config.crop_size)
        self.critic = Critic(config.categories, config.width)
        self.gen.to(device)
        self.critic.to(device)
        adam = {"lr": config.learning_rate, "betas": config.betas}
        self.opt_d = torch.optim.Adam(self.critic.d_parameters(), **adam)
        self.opt_g = torch.optim.Adam(self.gen.parameters(), **adam)
        self.opt_q = torch.optim.Adam([*self.gen.parameters(), *self.critic.q_parameters()], **adam)

    def _code(self) -> tuple[torch.Tensor, torch.Tensor]:
        c, code = sample_code(
            self.config.batch_size, self.config.categories, self.config.noise_dim, self.rng
        )
        return c.to(self.device), code.to(self.device)

    def iteration(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``critic_steps`` critic updates, one G update, one info update; (W loss, L_Q)."""
        config, gen, critic = self.config, self.gen, self.critic
        gen.train()
        critic.train()
        for _ in range(config.critic_steps):
            idx = torch.randint(len(self.real), (config.batch_size,), generator=self.rng)
            x = augment(self.real[idx.to(self.device)], config.augmentation, self.rng)
            _, code = self._code()
            with torch.no_grad():
                fake = gen(code)
            alpha = torch.rand(config.batch_size, generator=self.rng).to(self.device)
            w_loss = critic_loss(critic.critic(x), critic.critic(fake))
            loss_d = w_loss + config.lambda_gp * gradient_penalty(critic.critic, x, fake, alpha)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
        c, code = self._code()
        loss_g = generator_loss(critic.critic(gen(code)))
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        loss_q = info_loss(critic(gen(code))[1], c, config.lambda_info)
        self.opt_q.zero_grad(set_to_none=True)
        loss_q.backward()
        self.opt_q.step()
        return w_loss, loss_q


def train(
    crops: np.ndarray,
    config: InfoganConfig,
    seed: int,
    monitor: tuple[np.ndarray, np.ndarray] | None = None,
    device: str = "cpu",
) -> tuple[Generator, Critic, History]:
    """Train G and the critic/Q on uint8 cell crops (N, 32, 32, 3); deterministic per seed.

    ``monitor``: (crops, classes) whose Q purity is logged for Fig. 9 (never used to train).
    ``device``: ``auto``, ``cpu`` or ``cuda[:n]``; the networks come back on the CPU.
    """
    trainer = Trainer(crops, config, seed, select_device(device))
    history = History()
    total = generator_iterations(config, len(crops))
    log.info("training %d generator iterations on %d cells (%s)", total, len(crops), device)
    for it in range(1, total + 1):
        w_loss, loss_q = trainer.iteration()
        if it % config.log_every == 0 or it == total:
            history.iteration.append(it)
            history.value.append(-w_loss.item())
            history.info.append(loss_q.item())
            if monitor is not None:
                history.purity.append(purity(monitor[1], q_assign(trainer.critic, monitor[0])))
            log.info(
                "it %d V(D,G) %.4f L_Q %.4f%s",
                it,
                history.value[-1],
                history.info[-1],
                f" purity {history.purity[-1]:.3f}" if history.purity else "",
            )
    gen, critic = trainer.gen.cpu().eval(), trainer.critic.cpu().eval()
    return gen, critic, history


def save(
    path: str | Path,
    gen: Generator,
    critic: Critic,
    history: History,
    config: InfoganConfig,
    seed: int,
    *,
    config_digest: str | None = None,
    device: str = "cpu",
) -> Path:
    """Write model.pt atomically: weights, configuration, Fig. 9 history, provenance."""
    record: dict[str, Any] = {
        "generator": gen.state_dict(),
        "critic": critic.state_dict(),
        "config": config.model_dump(mode="json"),
        "history": history.__dict__,
        "provenance": provenance(config_digest=config_digest, seed=seed, device=device),
    }
    with atomic_path(path) as tmp:
        torch.save(record, tmp)
    return Path(path)


def load_model(path: str | Path) -> tuple[Generator, Critic, InfoganConfig, dict[str, Any]]:
    """(generator, critic, config, record) of a model.pt written by :func:`save`."""
    record = read_checkpoint(
        path, "infogan model file", keys=("config", "generator", "critic"), weights_only=True
    )
    try:
        config = InfoganConfig(**record["config"])
    except (TypeError, ValueError) as exc:
        raise InputError(path, f"infogan model file with an invalid config ({exc})") from exc
    gen = Generator(config.categories, config.noise_dim, config.width, config.crop_size)
    critic = Critic(config.categories, config.width)
    gen.load_state_dict(record["generator"])
    critic.load_state_dict(record["critic"])
    return gen.eval(), critic.eval(), config, record
