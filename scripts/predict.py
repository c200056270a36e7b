"""Rules `<method>_predict`: segment the test images of a dataset with a trained model.

The shared prediction contract (cellbench.methods.predict): images are segmented at the
dataset's scale × `params.scale` (the method config's scale × the run's factor).
"""

from cellbench.methods.predict import predict_dataset
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    predict_dataset(
        snakemake.params.method,
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output[0],
        scale=snakemake.params.scale,
        device=snakemake.params.device,
        seed=snakemake.params.seed,
        config_digest=config_digest(snakemake.config),
        threads=snakemake.threads,
    )
