"""Rule `infogan_cells`: 32×32 cell crops + cell table of one prepared dataset."""

from cellbench.methods.infogan.cells import write_cells
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    write_cells(
        snakemake.input[0],
        snakemake.output[0],
        InfoganConfig.model_validate(snakemake.params.cfg),
    )
