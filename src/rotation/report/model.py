"""The report's building blocks: a report is an ordered list of sections.

Each section is built by a function ``build(context) -> Section`` registered in
:mod:`rotation.report.sections`. A section carries what the HTML shows
(blocks) and every number it shows (``data``, written to ``report.json`` with
its provenance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from rotation.market import MarketData

__all__ = [
    "FigureBlock",
    "ReportContext",
    "Section",
    "SectionBuilder",
    "TableBlock",
    "TextBlock",
]


@dataclass(frozen=True)
class TextBlock:
    """A paragraph or bullet list of plain text (escaped when rendered)."""

    text: str | tuple[str, ...]


@dataclass(frozen=True)
class FigureBlock:
    """A plotly figure with its caption and the sources it draws on."""

    figure: go.Figure
    caption: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableBlock:
    """A table; the frame's index is shown unless ``show_index`` is False."""

    frame: pd.DataFrame
    caption: str = ""
    show_index: bool = False
    #: Optional per-column CSS class rules: column -> function(value) -> class.
    cell_classes: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)


Block = TextBlock | FigureBlock | TableBlock


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Attributes
    ----------
    id : str
        Stable anchor and JSON key (``"coverage"``, ``"prices"``, ...).
    title : str
        Heading shown to the reader.
    blocks : tuple of Block
        What the HTML shows, in order.
    data : dict
        Every number the section shows, JSON-serialisable, each with the series,
        dates and parameters it came from.
    """

    id: str
    title: str
    blocks: tuple[Block, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportContext:
    """What a section builder may use.

    Attributes
    ----------
    market : MarketData
        Point-in-time data as of ``as_of``.
    as_of : Timestamp
        The report date; nothing after it is visible.
    coverage : DataFrame
        The store's coverage table (one row per symbol or series).
    options : mapping
        Free-form options from the CLI (thesis path, windows...).
    """

    market: MarketData
    as_of: pd.Timestamp
    coverage: pd.DataFrame
    options: Mapping[str, Any] = field(default_factory=dict)


SectionBuilder = Callable[[ReportContext], Section]
