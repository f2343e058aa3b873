"""The report's building blocks: a report is an ordered list of sections.

Each section is rendered by a function ``build(analysis) -> Section``
registered in :data:`rotation.report.builder.SECTIONS`; it reads attributes of
an :class:`~rotation.analysis.Analysis` and formats them, never computes. A
section carries what the HTML shows (blocks) and every number it shows
(``data``: the analysis part encoded by :func:`rotation.analysis.to_jsonable`,
the same JSON the CLI and the API print).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    import pandas as pd
    import plotly.graph_objects as go

    from rotation.analysis import Analysis

__all__ = [
    "FigureBlock",
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
    """A plotly figure with its caption and the sources it draws on.

    ``spec`` is the figure as plotly's JSON (``{"data": [...], "layout":
    {...}}``, see :func:`rotation.report.plotting.figure`); :attr:`figure`
    is the same figure as a validated ``plotly.graph_objects.Figure``, built
    on first use (the report itself never needs it).
    """

    spec: Mapping[str, Any]
    caption: str = ""
    sources: tuple[str, ...] = ()

    @cached_property
    def figure(self) -> go.Figure:
        """The figure as a plotly ``Figure`` (validated; for notebooks and tests)."""
        import plotly.graph_objects as go

        # a deep copy: plotly pops each trace's "type" from the dicts it is
        # given, which would change how this block renders afterwards
        return go.Figure(copy.deepcopy(dict(self.spec)))

    @property
    def title(self) -> str:
        """The figure's title text ("" when it has none)."""
        title = self.spec.get("layout", {}).get("title") or {}
        return str(title.get("text") or "") if isinstance(title, Mapping) else ""


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


SectionBuilder = Callable[["Analysis"], Section]
