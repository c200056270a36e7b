"""Rule `contrastive_sweep`: one run of a Table 1 cell, scored on the training hold-out."""

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.sweep import run_cell
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    run_cell(
        snakemake.input[0],
        snakemake.output[0],
        ContrastiveConfig.model_validate(snakemake.params.cfg),
        patches=int(snakemake.wildcards.patches),
        patch_size=int(snakemake.wildcards.psize),
        seed=int(snakemake.wildcards.cseed),
        holdout=(snakemake.params.validation_fraction, snakemake.params.split_seed),
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
