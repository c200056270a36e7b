"""Rule `infogan_train`: WGAN-GP + InfoGAN on the training images' cells of one dataset."""

import torch

from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.pipeline import train_run
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    train_run(
        snakemake.input[0],
        snakemake.output[0],
        InfoganConfig(**snakemake.params.cfg),
        seed=int(snakemake.wildcards.seed),
        categories=int(snakemake.wildcards.k),
        config_digest=snakemake.params.config_hash,
    )
