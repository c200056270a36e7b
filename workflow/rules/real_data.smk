"""Real datasets (docs/datasets.md): download, verify, unpack and prepare into results/data/.

Which files each dataset has, their URLs, checksums and licences: the datasets file
(config real_data.catalog, default config/datasets.yaml). A dataset that needs registration
stops its download rule with a message naming the file to put under real_data.downloads.
"""

from pathlib import Path

from cellbench.data.sources.catalog import REAL_DATASETS, rule_inputs

REAL_DATA = config.get("real_data", {})
REAL_CATALOG_FILE = REAL_DATA.get("catalog", "config/datasets.yaml")
REAL_DOWNLOADS = REAL_DATA.get("downloads", "results/downloads")
REAL_SOURCES = REAL_DATA.get("sources", {})
REAL_ALLOW_INCOMPLETE = REAL_DATA.get("allow_incomplete", [])


# Downloads run on the submitting host: compute nodes often have no internet access.
localrules:
    real_data_download,


rule real_data_download:
    output:
        f"{REAL_DOWNLOADS}/{{dataset}}/{{file}}",
    log:
        "results/logs/real_data_download/{dataset}/{file}.log",
    wildcard_constraints:
        dataset="|".join(REAL_DATASETS),
        file=r"[^/]+",
    conda:
        "../../envs/core.yaml"
    params:
        catalog=REAL_CATALOG_FILE,
        downloads=lambda w, output: str(Path(output[0]).parent.parent),
    script:
        "../../scripts/real_data_download.py"


rule real_data_prepare:
    input:
        lambda w: rule_inputs(
            REAL_CATALOG_FILE, REAL_DOWNLOADS, REAL_SOURCES, w.dataset
        ),
    output:
        directory("results/data/{dataset}"),
    log:
        "results/logs/real_data_prepare/{dataset}.log",
    wildcard_constraints:
        dataset="|".join(REAL_DATASETS),
    conda:
        "../../envs/core.yaml"
    params:
        catalog=REAL_CATALOG_FILE,
        downloads=REAL_DOWNLOADS,
        source=lambda wildcards: REAL_SOURCES.get(wildcards.dataset),
        allow_incomplete=lambda wildcards: wildcards.dataset in REAL_ALLOW_INCOMPLETE,
        seed=config["seed"],
    script:
        "../../scripts/real_data_prepare.py"


rule real_data_dsb_partition_figure:
    input:
        "results/data/dsb2018",
    output:
        png=report(
            "results/figures/dsb2018_partition.png",
            caption="../report/dsb2018_partition.rst",
            category="Data",
        ),
        pdf="results/figures/dsb2018_partition.pdf",
    log:
        "results/logs/real_data_dsb_partition_figure/dsb2018.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/real_data_partition_figure.py"


if "dsb2018" in configured_datasets():

    register_final_outputs(
        rules.real_data_dsb_partition_figure.output.png,
        rules.real_data_dsb_partition_figure.output.pdf,
    )
