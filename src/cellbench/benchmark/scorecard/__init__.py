"""Reproduction scorecard (issue 16): every published number cellbench regenerates, ours beside it.

:mod:`.claims` reads the published numbers, :mod:`.ours` finds ours for the same table, row,
metric and dataset, :mod:`.card` decides (compared, synthetic stand-in, not run) and writes the
table. Rows of other authors' methods that cellbench does not implement are named under the
table instead of being compared or silently dropped.
"""
