"""Rule `synth_<domain>`: generate one dataset of the embedded synthetic suite."""

from cellbench.data.synth import generate
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]) as log:
    path = generate(
        snakemake.params.domain,
        snakemake.output[0],
        snakemake.params.seed,
        snakemake.params.size,
        **snakemake.params.overrides,
    )
    log.info("wrote %s", path)
