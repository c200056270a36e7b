"""Rule `cellulus_predict`: segment the test split at the run's scale (labels back at scale 1)."""

import torch

from cellbench.methods.cellulus.runs import absolute_scale, parse_run
from cellbench.methods.predict import predict_dataset
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    run = snakemake.wildcards.run
    predict_dataset(
        "cellulus",
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        scale=absolute_scale(snakemake.input.dataset, run),
        device=snakemake.params.device,
        seed=parse_run(run)[0],
        config_digest=snakemake.params.config_hash,
    )
