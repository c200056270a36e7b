"""Rule `deepng_retrain`: encoder retrained on the cluster pseudo-labels, decoder reused."""

import torch

from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.pseudolabel import retrain_encoder
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    retrain_encoder(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.input.features,
        snakemake.input.assignments,
        snakemake.output[0],
        DeepNGConfig.from_dict(snakemake.params.cfg),
        snakemake.params.seed,
        run=snakemake.params.run,
        device=snakemake.params.device,
        mixed_precision=snakemake.params.mixed_precision,
        config_digest=config_digest(snakemake.config),
    )
