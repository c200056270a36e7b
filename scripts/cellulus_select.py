"""Rule `cellulus_select`: bandwidth/shrink line search on the training split (never the test split)."""

from cellbench.methods.cellulus.select import select
from cellbench.methods.predict import working_scale
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    search = snakemake.params.select
    select(
        snakemake.input.trained,
        snakemake.input.dataset,
        snakemake.output.model,
        snakemake.output.scores,
        bandwidths=search["bandwidths"],
        shrinks=search["shrinks"],
        search_steps=search["bandwidth_search_steps"],
        min_size_fractions=search["min_size_fractions"],
        inference=snakemake.params.inference,
        scale=working_scale(snakemake.input.dataset, snakemake.params.scale),
        metric=search["select_metric"],
        max_images=search["select_max_images"],
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
