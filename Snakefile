"""cellbench: one DAG from data to tables, figures and the HTML report.

Default: the embedded synthetic suite on a CPU (config/config.yaml).
Paper scale on the real datasets: snakemake --configfile config/paper.yaml
"""


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/real_data.smk"
include: "workflow/rules/otsu_watershed.smk"
include: "workflow/rules/deepng.smk"
include: "workflow/rules/cellulus.smk"
include: "workflow/rules/spoco.smk"
include: "workflow/rules/pretrained.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_output,
