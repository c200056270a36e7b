"""Network architectures implemented in cellbench (no pretrained weights)."""
