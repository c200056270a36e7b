"""The one evaluation shared by every method."""


rule evaluate:
    input:
        dataset="results/data/{dataset}",
        predictions="results/predictions/{method}/{dataset}/{run}",
    output:
        per_image="results/evaluation/{method}/{dataset}/{run}/per_image.csv",
        summary="results/evaluation/{method}/{dataset}/{run}/summary.json",
    log:
        "results/logs/evaluate/{method}/{dataset}/{run}.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/evaluate.py"
