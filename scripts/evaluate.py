"""Rule `evaluate`: score one prediction directory against its dataset's ground truth."""

from cellbench.evaluation import evaluate
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    evaluate(
        snakemake.input.dataset,
        snakemake.input.predictions,
        snakemake.output.per_image,
        snakemake.output.summary,
        method=snakemake.wildcards.method,
        run=snakemake.wildcards.run,
        config_digest=config_digest(snakemake.config),
    )
