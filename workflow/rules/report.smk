"""Tables and figures common to all methods; per-paper ones live in each method's rule file."""


rule overview_table:
    input:
        lambda wildcards: EVALUATIONS,
    output:
        csv=report(
            "results/tables/overview.csv",
            caption="../report/overview_table.rst",
            category="Overview",
            labels={"table": "overview"},
        ),
        md="results/tables/overview.md",
        tex="results/tables/overview.tex",
    log:
        "results/logs/overview_table.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/overview_table.py"


rule overview_figure:
    input:
        "results/tables/overview.csv",
    output:
        png=report(
            "results/figures/overview.png",
            caption="../report/overview_figure.rst",
            category="Overview",
            labels={"figure": "overview"},
        ),
        pdf="results/figures/overview.pdf",
    log:
        "results/logs/overview_figure.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/overview_figure.py"


register_final_outputs(
    "results/tables/overview.csv",
    "results/tables/overview.md",
    "results/tables/overview.tex",
    "results/figures/overview.png",
    "results/figures/overview.pdf",
)
