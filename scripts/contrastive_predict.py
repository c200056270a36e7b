"""Rules `contrastive_predict` / `contrastive_threshold_predict`: segment the test split."""

import torch

from cellbench.evaluation import run_seed
from cellbench.methods.contrastive.config import config_from_mapping
from cellbench.methods.contrastive.predict import predict
from cellbench.provenance import config_hash
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    method = snakemake.wildcards.get("cmethod", "contrastive_threshold")
    predict(
        method,
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        config_from_mapping(snakemake.params.cfg),
        device=snakemake.params.device,
        seed=run_seed(snakemake.wildcards.get("run", "default")),
        config_digest=config_hash(snakemake.params.cfg),
    )
