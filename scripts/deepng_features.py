"""Rule `deepng_features`: augmented draws from CT2-CT7 → pooled latent → PCA-32."""

import torch

from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.features import extract_features
from cellbench.workflow import script_logging, set_threads

set_threads(snakemake.threads)

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    extract_features(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        DeepNGConfig.from_dict(snakemake.params.cfg),
        snakemake.params.seed,
        device=snakemake.params.device,
    )
