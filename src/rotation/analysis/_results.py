"""Where an Analysis may find parts computed by an earlier run (a results cache)."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["ResultsCache"]


class ResultsCache(Protocol):
    """Parts of one Analysis computed before, keyed by part name.

    The shell creates one per (data fingerprint, as-of date, thesis, config,
    code version), so a hit is the value this Analysis would compute; the
    analysis layer never sees files (see :class:`rotation.workspace.DiskResults`).
    """

    def get(self, name: str) -> Any:
        """Return the stored part ``name``; raise ``KeyError`` when absent."""
        ...

    def put(self, name: str, value: Any) -> None:
        """Store part ``name`` (failures to store are ignored, never raised)."""
        ...
