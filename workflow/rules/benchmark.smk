"""Cross-method benchmark (issue 16): every method variant on every dataset, from the evaluation
summaries the method rule files register (no training of its own); included after them.
"""

from cellbench.benchmark.config import BenchmarkConfig
from cellbench.benchmark.matrix import not_applicable_reasons, select_summaries
from cellbench.methods.contract import discover_methods

BENCHMARK = BenchmarkConfig.from_dict(config.get("benchmark"))
BENCHMARK_METHODS = BENCHMARK.methods or [*discover_methods(), *PRETRAINED_TOOLS]
# Every summary a method rule file registered is known here (this file is included after them).
BENCHMARK_SUMMARIES = select_summaries(
    EVALUATIONS, BENCHMARK_METHODS, BENCHMARK.datasets
)
BENCHMARK_DATASETS = BENCHMARK.datasets or sorted(
    {path.split("/")[3] for path in BENCHMARK_SUMMARIES}
)


rule benchmark_table:
    input:
        summaries=BENCHMARK_SUMMARIES,
        per_image=[
            path.replace("summary.json", "per_image.csv")
            for path in BENCHMARK_SUMMARIES
        ],
    output:
        csv=report(
            "results/tables/benchmark.csv",
            caption="../report/benchmark_table.rst",
            category="Benchmark",
            labels={"table": "benchmark"},
        ),
        md="results/tables/benchmark.md",
        tex="results/tables/benchmark.tex",
        ranking_csv=report(
            "results/tables/benchmark_ranking.csv",
            caption="../report/benchmark_ranking.rst",
            category="Benchmark",
            labels={"table": "per-dataset ranking"},
        ),
        ranking_md="results/tables/benchmark_ranking.md",
        ranks="results/tables/benchmark_ranks.csv",
    log:
        "results/logs/benchmark_table.log",
    conda:
        "../../envs/core.yaml"
    params:
        # The scorecard's keys are not the matrix's: changing them does not rerun the bootstrap.
        cfg=BENCHMARK.model_dump(mode="json", exclude={"scorecard"}),
        methods=BENCHMARK_METHODS,
        datasets=BENCHMARK_DATASETS,
        reasons=not_applicable_reasons(
            METHOD_CONFIGS, BENCHMARK_METHODS, BENCHMARK_DATASETS
        ),
    script:
        "../../scripts/benchmark_table.py"


rule benchmark_figures:
    input:
        table="results/tables/benchmark.csv",
        ranks="results/tables/benchmark_ranks.csv",
    output:
        heatmap_png=report(
            "results/figures/benchmark_heatmap.png",
            caption="../report/benchmark_heatmap.rst",
            category="Benchmark",
            labels={"figure": "heatmap"},
        ),
        heatmap_pdf="results/figures/benchmark_heatmap.pdf",
        cd_png=report(
            "results/figures/benchmark_cd.png",
            caption="../report/benchmark_cd.rst",
            category="Benchmark",
            labels={"figure": "critical difference"},
        ),
        cd_pdf="results/figures/benchmark_cd.pdf",
    log:
        "results/logs/benchmark_figures.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/benchmark_figures.py"


if BENCHMARK_DATASETS:
    register_final_outputs(
        *[
            f"results/tables/{name}"
            for name in (
                "benchmark.csv",
                "benchmark.md",
                "benchmark.tex",
                "benchmark_ranking.csv",
                "benchmark_ranking.md",
                "benchmark_ranks.csv",
            )
        ],
        *[
            f"results/figures/benchmark_{name}.{ext}"
            for name in ("heatmap", "cd")
            for ext in ("png", "pdf")
        ],
    )
