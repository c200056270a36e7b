"""Real datasets: catalogue, verified downloads and per-format preparation (docs/datasets.md)."""
