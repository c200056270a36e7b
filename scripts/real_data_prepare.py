"""Rule `real_data_prepare`: verify, unpack and convert a real dataset into the prepared layout."""

from cellbench.data.sources.prepare import prepare
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    prepare(
        snakemake.wildcards.dataset,
        snakemake.params.source,
        snakemake.output[0],
        snakemake.params.downloads,
        catalog=snakemake.params.catalog,
        seed=snakemake.params.seed,
        allow_incomplete=snakemake.params.allow_incomplete,
    )
