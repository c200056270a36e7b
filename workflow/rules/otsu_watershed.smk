"""Classical reference method: the baseline row of every table (shared fit and predict scripts)."""

OTSU_WATERSHED = method_config("otsu_watershed")


rule otsu_watershed_fit:
    input:
        "results/data/{dataset}",
    output:
        "results/models/otsu_watershed/{dataset}/default/model.json",
    log:
        "results/logs/otsu_watershed_fit/{dataset}.log",
    conda:
        "../../envs/core.yaml"
    threads: 1
    params:
        method="otsu_watershed",
        cfg=dataset_params(
            "otsu_watershed",
            "scale",
            "smoothing_fraction",
            "opening_fraction",
            "seed_distance_fraction",
            "min_size_fraction",
            "thresholds",
            "fit_images",
            "points_radius",
            "points_channel",
        ),
    script:
        "../../scripts/fit.py"


rule otsu_watershed_predict:
    input:
        model="results/models/otsu_watershed/{dataset}/default/model.json",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/otsu_watershed/{dataset}/default"),
    log:
        "results/logs/otsu_watershed_predict/{dataset}.log",
    benchmark:
        "results/benchmarks/otsu_watershed_predict/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    # Single-threaded numpy/scikit-image code: more threads would only serialise the jobs.
    threads: 1
    params:
        method="otsu_watershed",
        seed=None,
        scale=dataset_scale("otsu_watershed"),
        device="cpu",
    script:
        "../../scripts/predict.py"


for _dataset in method_datasets("otsu_watershed"):
    evaluation_summary("otsu_watershed", _dataset, "default")
