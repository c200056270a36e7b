"""Segmentation methods; see :mod:`cellbench.methods.registry`."""
