"""Rule `contrastive_cnn_train`: the supervised CNN baseline (same network, BCE)."""

import torch

from cellbench.methods.contrastive.config import config_from_mapping
from cellbench.methods.contrastive.supervised import train
from cellbench.provenance import config_hash
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    cfg = config_from_mapping(snakemake.params.cfg)
    train(
        snakemake.input[0],
        snakemake.output[0],
        cfg.model_copy(update={"cnn_seed": int(snakemake.wildcards.cseed)}),
        device=snakemake.params.device,
        config_digest=config_hash(snakemake.params.cfg),
    )
