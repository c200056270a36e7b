#!/usr/bin/env bash
# Run by Snakemake (--sdm conda) inside this environment right after creating it: installs the
# cellbench package of this checkout, editable and without dependencies (the environment file
# pins them all), so that the rules' scripts can `import cellbench`. Snakemake copies this file
# to .snakemake/conda/ and runs it from the workflow's working directory: the repository root.
set -euo pipefail
repo=$(pwd)
if ! grep -qs '^name = "cellbench"' "$repo/pyproject.toml"; then
  echo "post-deploy: $repo is not the cellbench repository root; run snakemake from there" >&2
  exit 1
fi
python -m pip install --quiet --no-deps --no-build-isolation --editable "$repo"
python -c "import cellbench; print('post-deploy: cellbench', cellbench.__version__, 'from', cellbench.__file__)"
