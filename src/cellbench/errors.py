"""Exceptions that name the offending file and the problem."""

from __future__ import annotations

from pathlib import Path


class CellbenchError(Exception):
    """Base class of every error cellbench raises on bad input."""


class InputError(CellbenchError, ValueError):
    """A file or value that cannot be used as given.

    The message always starts with the path (when there is one) so that the user
    knows which file to fix.
    """

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else Path(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")
