"""Rule `otsu_watershed_fit`: estimate the baseline's object radius on the training split."""

from cellbench.methods.otsu_watershed import fit
from cellbench.methods.otsu_watershed.config import OtsuWatershedConfig
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    fit(
        snakemake.input[0],
        snakemake.output[0],
        OtsuWatershedConfig.model_validate(snakemake.params.cfg),
        config_digest=config_digest(snakemake.config),
    )
