"""Rule `deepng_train_segmentation`: baseline ResNet-50 U-Net on the known cell type (CT1)."""

import torch

from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.train_segmentation import train_segmentation
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    train_segmentation(
        snakemake.input[0],
        snakemake.output[0],
        DeepNGConfig.from_dict(snakemake.params.cfg),
        snakemake.params.seed,
        device=snakemake.params.device,
        mixed_precision=snakemake.params.mixed_precision,
        config_digest=config_digest(snakemake.config),
    )
