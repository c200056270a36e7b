"""Rule `otsu_watershed_fit`: estimate the baseline's object radius on the training split."""

from cellbench.methods.otsu_watershed import fit
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    fit(snakemake.input[0], snakemake.output[0], config_digest=snakemake.params.config_hash)
