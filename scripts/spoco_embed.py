"""Rule `spoco_embed`: f and g embeddings of the test split, one .npz per image."""

from cellbench.methods.spoco.infer import embed_dataset
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    embed_dataset(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
