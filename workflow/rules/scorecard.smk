"""Reproduction scorecard (issue 16): every published number cellbench regenerates beside ours
from the same configuration. Included after every method and the benchmark: it reads the tables
they register and the evaluation summaries they declare.
"""

# The report sorts its categories by name: this one comes first.
SCORECARD_CATEGORY = "At a glance: reproduction scorecard"
SCORECARD_TABLES = [
    path
    for path in FINAL_OUTPUTS
    if path
    in {
        f"results/tables/{name}.csv"
        for name in (
            "cellulus_table1",
            "cellulus_table2",
            "contrastive_table1",
            "contrastive_table2",
            "deepng_table1",
            "infogan_table1",
            "infogan_table3",
            "infogan_table4",
        )
    }
]


rule scorecard:
    input:
        published=expand(
            "config/paper_results/{name}.csv",
            name=[
                "deepng_table1",
                "cellulus_table1",
                "cellulus_table2",
                "infogan",
                "contrastive_table1",
                "contrastive_table2",
                "spoco_tables",
            ],
        ),
        tables=SCORECARD_TABLES,
        # The paper datasets' runs only (not those of the benchmark_only datasets).
        spoco=[
            p
            for p in EVALUATIONS
            if Path(p).parts[2] == "spoco" and Path(p).parts[3] in SPOCO_DATASETS
        ],
        # Per-group scores: cellulus Tables 1-2 report TissueNet per tissue.
        groups=[
            p
            for p in EVALUATIONS
            if Path(p).parts[2] in ("cellulus", *PRETRAINED_TOOLS)
            and Path(p).parts[3] in CELLULUS_PAPER_DATASETS
        ],
        # Device and config hash of every paper run: the evaluation summaries and infogan's tables.
        provenance=[*paper_evaluations(), *rules.infogan_tables.input.evaluations],
    output:
        csv=report(
            "results/tables/scorecard.csv",
            caption="../report/scorecard.rst",
            category=SCORECARD_CATEGORY,
            labels={"table": "reproduction scorecard"},
        ),
        md="results/tables/scorecard.md",
        tex="results/tables/scorecard.tex",
    log:
        "results/logs/scorecard.log",
    conda:
        "../../envs/core.yaml"
    params:
        cfg=BENCHMARK.scorecard.to_dict(),
        preset=config.get("preset", "unnamed"),
    script:
        "../../scripts/scorecard.py"


register_final_outputs(
    "results/tables/scorecard.csv",
    "results/tables/scorecard.md",
    "results/tables/scorecard.tex",
)
