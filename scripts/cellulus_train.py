"""Rule `cellulus_train`: self-supervised OCE training on the train split of one dataset."""

import torch

from cellbench.methods.cellulus.config import config_from_mapping
from cellbench.methods.cellulus.runs import absolute_scale, parse_run
from cellbench.methods.cellulus.train import train
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    seed, _ = parse_run(snakemake.wildcards.run)
    train(
        snakemake.input[0],
        snakemake.output[0],
        config_from_mapping(snakemake.params.cfg),
        seed=seed,
        scale=absolute_scale(snakemake.input[0], snakemake.wildcards.run),
        device=snakemake.params.device,
        mixed_precision=snakemake.params.mixed_precision,
        config_digest=snakemake.params.config_hash,
    )
