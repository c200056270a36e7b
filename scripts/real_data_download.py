"""Rule `real_data_download`: fetch and sha256-verify one published file of a real dataset."""

from cellbench.data.sources.prepare import download_file
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    download_file(
        snakemake.params.catalog,
        snakemake.wildcards.dataset,
        snakemake.wildcards.file,
        snakemake.params.downloads,
    )
