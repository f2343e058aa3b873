"""Rendered sections kept between runs, beside the Analysis's parts.

A section renders one Analysis and nothing else, so its fragments
(:class:`~rotation.report.fragments.RenderedSection`) are stored in that
Analysis's results cache (:class:`rotation.workspace.DiskResults`: one
folder per data fingerprint, as-of date, thesis, settings and code version,
written atomically, the oldest folders pruned) under the section's id. The
entry also records the renderer's name, :data:`RENDER_VERSION` and the plotly
version, and is only read back when all three match, so each folder holds at
most one entry per section. The summary is not kept: it shows the change since
the previous report, which each run records.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import TYPE_CHECKING, Any

from rotation.report.fragments import RenderedSection

if TYPE_CHECKING:
    from rotation.analysis import Analysis
    from rotation.analysis._results import ResultsCache

__all__ = ["RENDER_VERSION", "SectionCache"]

#: Bump when the fragments of unchanged sections render differently (a change
#: of code changes the results folder anyway; this covers the rest).
RENDER_VERSION = 1


@cache
def _plotly_version() -> str:
    from importlib.metadata import version

    return version("plotly")


class SectionCache:
    """Rendered sections of one Analysis, in its results cache.

    Parameters
    ----------
    results : ResultsCache
        The Analysis's results cache (``analysis.results``).
    """

    def __init__(self, results: ResultsCache) -> None:
        self.results = results

    @classmethod
    def of(cls, analysis: Analysis) -> SectionCache | None:
        """Return the cache of ``analysis`` (None when its parts are not kept)."""
        return None if analysis.results is None else cls(analysis.results)

    @staticmethod
    def _name(section_id: str) -> str:
        return f"report-section-{section_id}"

    @staticmethod
    def _key(section_id: str, renderer: str) -> str:
        return f"{RENDER_VERSION}|{_plotly_version()}|{section_id}|{renderer}"

    def get(self, section_id: str, renderer: str) -> RenderedSection | None:
        """Return the section ``renderer`` ("module:function") rendered, or None."""
        try:
            entry: Any = self.results.get(self._name(section_id))
        except KeyError:
            return None
        if not isinstance(entry, dict) or entry.get("key") != self._key(
            section_id, renderer
        ):
            return None
        try:
            return RenderedSection(**entry["section"])
        except (KeyError, TypeError):
            return None

    def put(self, section: RenderedSection, renderer: str) -> None:
        """Keep ``section`` as rendered by ``renderer`` (a failure to write is ignored)."""
        entry = {
            "key": self._key(section.id, renderer),
            "section": dataclasses.asdict(section),
        }
        self.results.put(self._name(section.id), entry)
