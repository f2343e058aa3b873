"""Helpers every section renderer shares."""

from __future__ import annotations

from typing import Any

from rotation.analysis import Omitted, to_jsonable
from rotation.report.model import Section, TextBlock

__all__ = ["omitted_section", "part_data"]


def omitted_section(section_id: str, title: str, omitted: Omitted) -> Section:
    """Render a part this thesis has nothing for: one line saying why."""
    return Section(
        id=section_id,
        title=title,
        blocks=(TextBlock(f"Not shown for this thesis: {omitted.reason}"),),
        data={"omitted": omitted.reason},
    )


def part_data(part: Any) -> dict[str, Any]:
    """Return the section's ``data``: the part exactly as the CLI and API print it."""
    data = to_jsonable(part)
    return data if isinstance(data, dict) else {"value": data}
