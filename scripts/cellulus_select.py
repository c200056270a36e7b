"""Rule `cellulus_select`: bandwidth/shrink line search on the training split (never the test split)."""

import torch

from cellbench.methods.cellulus.runs import absolute_scale
from cellbench.methods.cellulus.select import select
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    cfg = snakemake.params.cfg
    select(
        snakemake.input.trained,
        snakemake.input.dataset,
        snakemake.output.model,
        snakemake.output.scores,
        bandwidths=cfg["bandwidths"],
        shrinks=cfg["shrinks"],
        scale=absolute_scale(snakemake.input.dataset, snakemake.wildcards.run),
        metric=cfg.get("select_metric", "seg"),
        max_images=cfg.get("select_max_images", 8),
        device=snakemake.params.device,
        config_digest=snakemake.params.config_hash,
    )
