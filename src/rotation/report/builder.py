"""Assemble the report: render every section from one Analysis."""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from rotation.report.model import Section, TextBlock

if TYPE_CHECKING:
    from rotation.analysis import Analysis
    from rotation.report.fragments import RenderedSection
    from rotation.report.reuse import SectionCache

__all__ = ["SECTIONS", "Report", "SectionFailure", "build_report"]

#: Report order: (section id, "module:function"); each function renders an
#: Analysis into a Section (see rotation.report.model).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("thesis", "rotation.report.sections.thesis:build_thesis_section"),
    ("rrg", "rotation.report.sections.indicators:build_rrg_section"),
    ("spreads", "rotation.report.sections.indicators:build_spreads_section"),
    ("correlation", "rotation.report.sections.indicators:build_correlation_section"),
    ("copper", "rotation.report.sections.indicators:build_copper_section"),
    ("rates", "rotation.report.sections.indicators:build_rates_section"),
    ("fed", "rotation.report.sections.data:build_fed_section"),
    ("regimes", "rotation.report.sections.regimes:build_regimes_section"),
    ("backtest", "rotation.report.sections.backtest:build_backtest_section"),
    ("risk", "rotation.report.sections.risk:build_risk_section"),
    ("prices", "rotation.report.sections.data:build_price_panels_section"),
    ("coverage", "rotation.report.sections.data:build_coverage_section"),
)
SECTION_IDS: tuple[str, ...] = tuple(sid for sid, _ in SECTIONS)


@dataclass(frozen=True)
class SectionFailure:
    """A section that raised: shown in the report, never hidden."""

    id: str
    error: str
    trace: str


@dataclass(frozen=True)
class Report:
    """The built report: its analysis, sections, failures and timings.

    A section read back from an earlier run is its rendered fragments
    (:class:`~rotation.report.fragments.RenderedSection`); ``reused`` lists
    those ids.
    """

    analysis: Analysis
    sections: tuple[Section | RenderedSection, ...]
    failures: tuple[SectionFailure, ...]
    timings: dict[str, float]
    reused: tuple[str, ...] = ()

    @cached_property
    def rendered(self) -> tuple[RenderedSection, ...]:
        """Every section's fragments, rendered once for all the output formats."""
        from rotation.report.fragments import RenderedSection, render_section

        return tuple(
            s if isinstance(s, RenderedSection) else render_section(s)
            for s in self.sections
        )


def _resolve(target: str) -> Callable[[Analysis], Section]:
    module, func = target.split(":")
    builder: Callable[[Analysis], Section] = getattr(
        importlib.import_module(module), func
    )
    return builder


def build_section(
    analysis: Analysis, section_id: str, target: str | Callable[[Analysis], Section]
) -> tuple[Section, SectionFailure | None]:
    """Render one section; a failure becomes a visible error section.

    ``target`` is a renderer or its ``"module:function"`` name.
    """
    try:
        render = _resolve(target) if isinstance(target, str) else target
        return render(analysis), None
    except Exception as exc:  # a report with one broken chart is still worth reading
        error = f"{type(exc).__name__}: {exc}"
        section = Section(
            id=section_id,
            title=f"{section_id} (failed)",
            blocks=(TextBlock(f"This section failed to build: {error}"),),
            data={"error": error},
        )
        return section, SectionFailure(section_id, error, traceback.format_exc())


def _summary(analysis: Analysis, previous: Mapping[str, Any] | None) -> Section:
    from rotation.report.summary import summary_section

    return summary_section(analysis, previous=previous)


def build_report(
    analysis: Analysis,
    *,
    sections: Sequence[tuple[str, str]] = SECTIONS,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    previous: Mapping[str, Any] | None = None,
    reuse: bool = False,
) -> Report:
    """Render every section of ``analysis``; a failing section is shown, not hidden.

    Parameters
    ----------
    analysis : Analysis
    sections : sequence of (id, "module:function")
    only : sequence of str, optional
        Render only these section ids (and no summary: a summary of some
        sections would mislead).
    progress : callable, optional
        Called with each section id before it is rendered.
    previous : mapping, optional
        ``{"as_of": ..., "headline": {...}}`` of the previous report on this
        store, for the summary's "what changed".
    reuse : bool
        Read sections rendered by an earlier run on the same Analysis back
        from its results cache (:mod:`rotation.report.reuse`), and keep the
        ones rendered now; the summary is always rendered.
    """
    cache = _section_cache(analysis) if reuse else None
    built: list[Section | RenderedSection] = []
    failures, timings, reused = [], {}, []
    for section_id, target in sections:
        if only is not None and section_id not in only:
            continue
        if progress:
            progress(section_id)
        start = time.perf_counter()
        kept = None if cache is None else cache.get(section_id, target)
        if kept is not None:
            built.append(kept)
            reused.append(section_id)
        else:
            section, failure = _built_and_kept(analysis, section_id, target, cache)
            built.append(section)
            if failure is not None:
                failures.append(failure)
        timings[section_id] = time.perf_counter() - start
    if only is None:
        start = time.perf_counter()
        summary, failure = build_section(
            analysis, "summary", lambda a: _summary(a, previous)
        )
        if failure is not None:
            failures.append(failure)
        built.insert(0, summary)
        timings["summary"] = time.perf_counter() - start
    return Report(analysis, tuple(built), tuple(failures), timings, tuple(reused))


def _section_cache(analysis: Analysis) -> SectionCache | None:
    from rotation.report.reuse import SectionCache

    return SectionCache.of(analysis)


def _built_and_kept(
    analysis: Analysis,
    section_id: str,
    target: str,
    cache: SectionCache | None,
) -> tuple[Section | RenderedSection, SectionFailure | None]:
    """Build the section; with a cache, render it and keep its fragments."""
    section, failure = build_section(analysis, section_id, target)
    if cache is None or failure is not None:  # a failure is built again next time
        return section, failure
    from rotation.report.fragments import render_section

    fragments = render_section(section)
    cache.put(fragments, target)
    return fragments, None
