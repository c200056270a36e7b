"""Figures, drawn only from tables and metrics files."""
