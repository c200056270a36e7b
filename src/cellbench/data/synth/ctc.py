"""Fluo-N2DH-SIM+-like time-lapse: two sequences of moving, deforming, dividing nuclei.

Each nucleus is a star-convex shape whose harmonic coefficients drift over time; nuclei move
by a persistent random walk, and occasionally divide into two daughters. Frames are uint16
with granular chromatin texture, uneven illumination and Poisson + Gaussian noise. The
sequences are written directly in the prepared layout (what preparing the official CTC
layout with SEG ground truth for every frame yields): 01 → train, 02 → test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cellbench.data.layout import write_dataset
from cellbench.data.synth import noise, shapes, texture
from cellbench.data.synth.common import dataset_info, image_rngs

# Matched to Fluo-N2DH-SIM+ (frame 01/t000): background 91 ± 4 counts, nuclei 152 ± 34 with a
# broad brightness range, an almost flat illumination (strength 0.08 of a ramp + smooth field).
SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"frames": 3, "shape": [64, 64], "cells": 3, "radius": [7, 9], "illumination": 0.08},
    "default": {
        "frames": 12,
        "shape": [256, 256],
        "cells": 14,
        "radius": [11, 15],
        "illumination": 0.08,
    },
}
SEQUENCES = {"01": "train", "02": "test"}
HARMONICS = 5


@dataclass
class Nucleus:
    """State of one nucleus: position, velocity, size, shape coefficients, brightness."""

    y: float
    x: float
    radius: float
    angle: float
    elongation: float
    brightness: float
    velocity: np.ndarray
    coeffs: np.ndarray = field(default_factory=lambda: np.zeros((HARMONICS + 1, 2)))
    age: int = 0

    def mask(self) -> np.ndarray:
        half = int(np.ceil(self.radius * self.elongation * 1.4)) + 2
        dy, dx = shapes.polar_grid(half)
        u = dx * np.cos(self.angle) + dy * np.sin(self.angle)
        v = -dx * np.sin(self.angle) + dy * np.cos(self.angle)
        a, b = self.radius * np.sqrt(self.elongation), self.radius / np.sqrt(self.elongation)
        theta = np.arctan2(v, u)
        bound = 1 + sum(
            self.coeffs[k, 0] * np.cos(k * theta) + self.coeffs[k, 1] * np.sin(k * theta)
            for k in range(2, HARMONICS + 1)
        )
        return np.hypot(u / a, v / b) <= bound


def new_nucleus(rng: np.random.Generator, shape: tuple[int, int], radius: list[float]) -> Nucleus:
    return Nucleus(
        y=rng.uniform(0.1, 0.9) * shape[0],
        x=rng.uniform(0.1, 0.9) * shape[1],
        radius=rng.uniform(*radius),
        angle=rng.uniform(0, np.pi),
        elongation=rng.uniform(1.0, 1.5),
        brightness=rng.lognormal(0, 0.35),
        velocity=rng.normal(0, 1.0, 2),
        coeffs=rng.normal(0, 0.04, (HARMONICS + 1, 2)),
        age=int(rng.integers(0, 20)),
    )


def step(rng: np.random.Generator, cells: list[Nucleus], shape: tuple[int, int]) -> list[Nucleus]:
    """Advance one frame: move, deform, grow, and divide old large nuclei."""
    out: list[Nucleus] = []
    for cell in cells:
        cell.velocity = 0.8 * cell.velocity + rng.normal(0, 0.8, 2)
        cell.y = float(np.clip(cell.y + cell.velocity[0], 0, shape[0] - 1))
        cell.x = float(np.clip(cell.x + cell.velocity[1], 0, shape[1] - 1))
        cell.coeffs = 0.9 * cell.coeffs + rng.normal(0, 0.015, cell.coeffs.shape)
        cell.angle += rng.normal(0, 0.08)
        cell.radius *= 1.01
        cell.age += 1
        if cell.age > 18 and rng.random() < 0.08:
            axis = rng.uniform(0, np.pi)
            offset = 0.7 * cell.radius * np.array([np.sin(axis), np.cos(axis)])
            for sign in (1, -1):
                out.append(
                    Nucleus(
                        y=cell.y + sign * offset[0],
                        x=cell.x + sign * offset[1],
                        radius=cell.radius * 0.72,
                        angle=axis + np.pi / 2,
                        elongation=1.3,
                        brightness=cell.brightness * 1.3,
                        velocity=sign * 0.8 * np.array([np.sin(axis), np.cos(axis)]),
                        coeffs=rng.normal(0, 0.03, cell.coeffs.shape),
                    )
                )
        else:
            out.append(cell)
    return out


def frame_labels(cells: list[Nucleus], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Labels (earlier nuclei lie on top where they would overlap) and per-pixel brightness."""
    labels = np.zeros(shape, dtype=np.int32)
    brightness = [0.0]
    for cell in cells:
        if shapes.paste(labels, cell.mask(), (cell.y, cell.x), len(brightness), min_visible=0.3):
            brightness.append(cell.brightness)
    out = shapes.relabel(labels, min_size=10)
    return out, np.where(out > 0, np.array(brightness)[labels], 0.0)


def render(
    rng: np.random.Generator, labels: np.ndarray, brightness: np.ndarray, light: np.ndarray
) -> np.ndarray:
    """uint16 frame: background ~90 counts, nuclei ~150 with granules, PSF blur, noise."""
    grain = (
        1
        + 0.3 * texture.smooth_field(rng, labels.shape, 2.0)
        + 0.35 * texture.granules(rng, labels.shape, 0.03, 1.0)
    )
    nuclei = 75 * brightness * texture.dome(labels, 3.0) * grain
    signal = noise.blur(light * (90 + nuclei), 1.5)
    return noise.to_uint16(noise.poisson_gaussian(rng, signal, 10.0, 2.0))


def sequence(rng: np.random.Generator, params: dict[str, Any]):
    """Yield (frame, labels, image) of one sequence."""
    shape = tuple(params["shape"])
    cells = [new_nucleus(rng, shape, params["radius"]) for _ in range(params["cells"])]
    light = texture.illumination(rng, shape, params["illumination"])
    for frame in range(params["frames"]):
        if frame:
            cells = step(rng, cells, shape)
        labels, brightness = frame_labels(cells, shape)
        yield frame, labels, render(rng, labels, brightness, light)


def build(
    out: Path, seed: int, size: str, params: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write the synthetic CTC dataset (sequences 01 and 02) to ``out``."""
    info = dataset_info("ctc", seed, size, params, "Fluo-N2DH-SIM+-like nuclei time-lapse")
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for (seq, split), rng in zip(SEQUENCES.items(), image_rngs(seed, 2), strict=True):
            for frame, labels, image in sequence(rng, params):
                writer.add(
                    f"{seq}_t{frame:03d}", image, labels, split=split, group=seq, frame=frame
                )
    return Path(out)
