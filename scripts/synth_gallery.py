"""Rule `synth_gallery`: one example per synthetic domain and type, ground truth outlined."""

from pathlib import Path

from cellbench.plots.gallery import draw_gallery
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    draw_gallery(
        [Path(path) for path in snakemake.input],
        Path(snakemake.output.png),
        Path(snakemake.output.pdf),
    )
