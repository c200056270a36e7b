"""Rule `spoco_embed`: f and g embeddings of the test split, one .npz per image."""

import torch

from cellbench.methods.spoco.infer import embed_dataset
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    embed_dataset(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        device=snakemake.params.device,
        config_digest=snakemake.params.config_hash,
    )
