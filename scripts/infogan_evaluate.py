"""Rule `infogan_evaluate`: Tables I-IV numbers of one seed (held-out cells, k-fold images)."""

import torch

from cellbench.methods.infogan.pipeline import evaluate_run
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    evaluate_run(
        snakemake.input.cells,
        dict(zip(snakemake.params.ks, snakemake.input.models, strict=True)),
        snakemake.output[0],
        seed=int(snakemake.wildcards.seed),
        categories=snakemake.params.categories,
        folds=snakemake.params.folds,
        config_digest=snakemake.params.config_hash,
    )
