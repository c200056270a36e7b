"""Rule `contrastive_threshold_fit`: the optimal global intensity threshold on training images."""

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.threshold import fit
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    fit(
        snakemake.input[0],
        snakemake.output[0],
        ContrastiveConfig.model_validate(snakemake.params.cfg),
        config_digest=config_digest(snakemake.config),
    )
