"""Assemble the report: run every section builder against one context."""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rotation.report.model import ReportContext, Section, TextBlock

__all__ = ["SECTIONS", "Report", "SectionFailure", "build_report"]

#: Report order: (section id, "module:function"). Later issues add their
#: sections here; each is a function of the context only.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("thesis", "rotation.report.sections.thesis:build_thesis_section"),
    ("rrg", "rotation.report.sections.indicators:build_rrg_section"),
    ("spreads", "rotation.report.sections.indicators:build_spreads_section"),
    (
        "ai_correlation",
        "rotation.report.sections.indicators:build_ai_correlation_section",
    ),
    ("copper", "rotation.report.sections.indicators:build_copper_section"),
    ("rates", "rotation.report.sections.indicators:build_rates_section"),
    ("fed", "rotation.report.sections.data:build_fed_section"),
    ("regimes", "rotation.report.sections.regimes:build_regimes_section"),
    ("backtest", "rotation.report.sections.backtest:build_backtest_section"),
    ("risk", "rotation.report.sections.risk:build_risk_section"),
    ("prices", "rotation.report.sections.data:build_price_panels_section"),
    ("coverage", "rotation.report.sections.data:build_coverage_section"),
)


@dataclass(frozen=True)
class SectionFailure:
    """A section that raised: shown in the report, never hidden."""

    id: str
    error: str
    trace: str


@dataclass(frozen=True)
class Report:
    """The built report: its sections, failures and timings."""

    context: ReportContext
    sections: tuple[Section, ...]
    failures: tuple[SectionFailure, ...]
    timings: dict[str, float]


def _resolve(target: str) -> Callable[[ReportContext], Section]:
    module, func = target.split(":")
    builder: Callable[[ReportContext], Section] = getattr(
        importlib.import_module(module), func
    )
    return builder


def build_report(
    context: ReportContext,
    *,
    sections: Sequence[tuple[str, str]] = SECTIONS,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    summary: bool = True,
) -> Report:
    """Build every section; a failing section becomes a visible error block.

    Parameters
    ----------
    context : ReportContext
    sections : sequence of (id, "module:function")
    only : sequence of str, optional
        Build only these section ids.
    progress : callable, optional
        Called with each section id before it is built.
    summary : bool, default True
        Put the summary (headline numbers, plain-language bullets, what changed
        since ``context.options["previous_report"]``) first.
    """
    built, failures, timings = [], [], {}
    for section_id, target in sections:
        if only is not None and section_id not in only:
            continue
        if progress:
            progress(section_id)
        start = time.perf_counter()
        try:
            section = _resolve(target)(context)
        except (
            Exception
        ) as exc:  # a report with one broken chart is still worth reading
            failures.append(
                SectionFailure(
                    section_id, f"{type(exc).__name__}: {exc}", traceback.format_exc()
                )
            )
            section = Section(
                id=section_id,
                title=f"{section_id} (failed)",
                blocks=(
                    TextBlock(
                        f"This section failed to build: {type(exc).__name__}: {exc}"
                    ),
                ),
                data={"error": f"{type(exc).__name__}: {exc}"},
            )
        timings[section_id] = time.perf_counter() - start
        built.append(section)
    if summary:
        from rotation.report.summary import summary_section

        previous = context.options.get("previous_report") or {}
        first, _ = summary_section(
            {section.id: section.data for section in built},
            previous=previous.get("headline"),
            previous_as_of=previous.get("as_of"),
        )
        built.insert(0, first)
        timings.setdefault("summary", 0.0)
    return Report(
        context=context,
        sections=tuple(built),
        failures=tuple(failures),
        timings=timings,
    )
