"""Optional pretrained StarDist/Cellpose baselines of cellulus Table 1 (paper configuration).

Off unless `methods.cellulus.pretrained.tools` lists them: they need envs/pretrained.yaml
(tensorflow for StarDist) and download the published weights on first use. The settings
(PRETRAINED*) are read in cellulus.smk, whose Table 1 collects these rows.
"""


rule pretrained_predict:
    input:
        "results/data/{dataset}",
    output:
        directory("results/predictions/{tool}/{dataset}/pretrained"),
    log:
        "results/logs/pretrained_predict/{tool}/{dataset}.log",
    benchmark:
        "results/benchmarks/pretrained_predict/{tool}/{dataset}.tsv"
    wildcard_constraints:
        tool="stardist|cellpose",
    conda:
        "../../envs/pretrained.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        model=lambda wildcards: PRETRAINED_MODELS[wildcards.tool],
        diameter=PRETRAINED.cellpose_diameter,
        device=config["device"],
    script:
        "../../scripts/pretrained_predict.py"


for _tool in PRETRAINED_TOOLS:
    for _dataset in CELLULUS_PAPER_DATASETS:
        evaluation_summary(_tool, _dataset, "pretrained")
