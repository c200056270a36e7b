"""Rule `benchmark_table`: the benchmark matrix, the per-dataset ranking and the average ranks."""

from cellbench.benchmark.config import BenchmarkConfig
from cellbench.benchmark.tables import benchmark_tables
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    benchmark_tables(
        snakemake.input.summaries,
        dict(snakemake.output.items()),
        BenchmarkConfig.from_dict(snakemake.params.cfg),
        snakemake.params.methods,
        snakemake.params.datasets,
        snakemake.params.reasons,
    )
