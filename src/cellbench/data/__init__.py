"""Datasets: the prepared on-disk layout, synthetic generators and real-data preparation."""
