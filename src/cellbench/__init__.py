"""cellbench: reproducible benchmark of annotation-free and label-efficient cell segmentation."""

__version__ = "0.1.0"
