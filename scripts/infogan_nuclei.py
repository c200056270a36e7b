"""Rule `infogan_nuclei`: the nuclei segmentation's parameter file (the method has no training)."""

from cellbench.methods.infogan.config import SegmentationConfig
from cellbench.methods.infogan.nuclei import write_model
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    write_model(
        snakemake.output[0],
        SegmentationConfig(**snakemake.params.segmentation),
        config_digest=snakemake.params.config_hash,
    )
