"""Rule `contrastive_threshold_fit`: the optimal global intensity threshold on training images."""

from cellbench.methods.contrastive.config import config_from_mapping
from cellbench.methods.contrastive.threshold import fit
from cellbench.provenance import config_hash
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    fit(
        snakemake.input[0],
        snakemake.output[0],
        config_from_mapping(snakemake.params.cfg),
        config_digest=config_hash(snakemake.params.cfg),
    )
