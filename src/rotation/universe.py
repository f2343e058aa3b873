"""Named universes and baskets used across the package (one definition each).

Thesis files define their own baskets; these are the defaults of the founding
thesis (``theses/great_rotation_2026.yaml``) and of the report.
"""

from __future__ import annotations

__all__ = ["AI_LARGE", "SECTOR_SPDRS", "TANGIBLE", "TECH"]

#: The 11 Select Sector SPDR ETFs (XLRE from 2015-10, XLC from 2018-06).
SECTOR_SPDRS: tuple[str, ...] = (
    "XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC",
)  # fmt: skip
#: "Tangible value": Industrials, Materials, Energy.
TANGIBLE: tuple[str, ...] = ("XLI", "XLB", "XLE")
#: High-multiple technology.
TECH: tuple[str, ...] = ("XLK",)
#: The large AI stocks whose average correlation the thesis watches.
AI_LARGE: tuple[str, ...] = ("NVDA", "MSFT", "GOOGL", "META", "AMZN", "AVGO", "ORCL")
