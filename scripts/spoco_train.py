"""Rule `spoco_train`: train one spoco network (mode and seed from the run name)."""

import torch

from cellbench.methods.spoco.config import SpocoConfig, parse_run
from cellbench.methods.spoco.train import train
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    mode, seed = parse_run(snakemake.wildcards.spoco_train)
    train(
        snakemake.input[0],
        snakemake.output.model,
        SpocoConfig(**snakemake.params.cfg),
        mode,
        seed,
        device=snakemake.params.device,
        config_digest=snakemake.params.config_hash,
    )
