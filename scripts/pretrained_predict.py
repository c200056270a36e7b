"""Rule `pretrained_predict`: a published pretrained StarDist/Cellpose model on the test images."""

from cellbench.methods.pretrained import predict_pretrained
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    predict_pretrained(
        snakemake.wildcards.tool,
        snakemake.input[0],
        snakemake.output[0],
        model_name=snakemake.params.model,
        diameter=snakemake.params.diameter,
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
