"""Baseline cell features of paper 002 (Tables I and III): the 188-D manual features (MF) and
2048-D HOG, on uint8 crops (N, 32, 32, 3)."""

from __future__ import annotations

import numpy as np
from skimage.color import rgb2gray, rgb2lab
from skimage.feature import daisy, hog, local_binary_pattern
from sklearn.cluster import KMeans

BOW_WORDS = 130  # 130 visual words + 10 LBP bins + 3 × 16 L*a*b* bins = 188
LAB_BINS = 16
LAB_RANGES = ((0.0, 100.0), (-128.0, 127.0), (-128.0, 127.0))


def dense_descriptors(crop: np.ndarray) -> np.ndarray:
    """SIFT-like dense gradient-orientation descriptors (DAISY, 25 points of a 32² crop)."""
    desc = daisy(rgb2gray(crop), step=4, radius=7, rings=2, histograms=6, orientations=8)
    return desc.reshape(-1, desc.shape[-1])


def lbp_histogram(crop: np.ndarray) -> np.ndarray:
    """Uniform LBP (P = 8, R = 1) histogram, 10 bins, normalised."""
    grey = np.round(rgb2gray(crop) * 255).astype(np.uint8)
    codes = local_binary_pattern(grey, 8, 1, method="uniform")
    return np.bincount(codes.astype(int).ravel(), minlength=10) / codes.size


def lab_histogram(crop: np.ndarray) -> np.ndarray:
    """L*, a*, b* histograms, 16 bins each, normalised."""
    lab = rgb2lab(crop).reshape(-1, 3)
    hists = [
        np.histogram(lab[:, i], bins=LAB_BINS, range=LAB_RANGES[i])[0] / len(lab) for i in range(3)
    ]
    return np.concatenate(hists)


class ManualFeatures:
    """MF = bag of dense-descriptor words (codebook from the training crops) + LBP + L*a*b*."""

    def __init__(self, seed: int, words: int = BOW_WORDS) -> None:
        self.seed, self.words = seed, words
        self.codebook: KMeans | None = None

    def fit(self, crops: np.ndarray) -> ManualFeatures:
        desc = np.concatenate([dense_descriptors(c) for c in crops])
        words = min(self.words, len(desc))
        self.codebook = KMeans(words, n_init=1, random_state=self.seed).fit(desc)
        return self

    def transform(self, crops: np.ndarray) -> np.ndarray:
        if self.codebook is None:
            raise RuntimeError("ManualFeatures.fit must be called first")
        rows = []
        for crop in crops:
            words = self.codebook.predict(dense_descriptors(crop))
            bow = np.bincount(words, minlength=self.words)[: self.words] / len(words)
            rows.append(np.concatenate([bow, lbp_histogram(crop), lab_histogram(crop)]))
        return np.asarray(rows)


def hog_features(crops: np.ndarray) -> np.ndarray:
    """2048-D HOG: 8 orientations, 2×2-pixel cells, 1×1 blocks on the grey 32² crop."""
    return np.asarray(
        [
            hog(rgb2gray(c), orientations=8, pixels_per_cell=(2, 2), cells_per_block=(1, 1))
            for c in crops
        ]
    )
