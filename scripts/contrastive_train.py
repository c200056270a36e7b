"""Rule `contrastive_train`: one CSL run (seed from the wildcard) on the train split."""

import torch

from cellbench.methods.contrastive.config import config_from_mapping
from cellbench.methods.contrastive.train import train
from cellbench.provenance import config_hash
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    train(
        snakemake.input[0],
        snakemake.output[0],
        config_from_mapping(snakemake.params.cfg),
        seed=int(snakemake.wildcards.cseed),
        device=snakemake.params.device,
        config_digest=config_hash(snakemake.params.cfg),
    )
