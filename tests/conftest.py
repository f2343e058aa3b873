"""Shared fixtures: the bundled real dataset, loaded once per session."""

from __future__ import annotations

import os

import pytest

from rotation.data.bundled import load_market_data
from rotation.market import MarketData

# The suite's CLI runs share one numba cache that the first tests fill; a
# compile-ahead process per run (HOME is often a temporary folder) would only
# compete for the cores. tests/test_compile_ahead.py turns it back on.
os.environ.setdefault("ROTATION_COMPILE_AHEAD", "0")


@pytest.fixture(scope="session")
def market() -> MarketData:
    """The bundled real dataset as a point-in-time MarketData (as of its last date)."""
    return load_market_data()


def make_analysis(market: MarketData, thesis=None, config=None, *, as_of=None):
    """An Analysis of ``thesis`` (path, Thesis or None: the default) on ``market``.

    The snapshot's coverage metadata is empty (names, units and sources are
    blank); everything else is what the report computes.
    """
    import pandas as pd

    from rotation.analysis import Analysis, AnalysisConfig, Snapshot
    from rotation.thesis import Thesis
    from rotation.thesis_files import load_thesis_file

    view = market if as_of is None else market.truncate(as_of)
    spec = thesis if isinstance(thesis, Thesis) else load_thesis_file(thesis)
    if isinstance(config, dict):
        config = AnalysisConfig().with_overrides(config)
    snapshot = Snapshot.build(view, pd.DataFrame(columns=["kind", "id"]))
    name = "great_rotation_2026" if thesis is None else str(thesis)
    return Analysis(snapshot, spec, config, thesis_name=name)


@pytest.fixture(scope="session")
def analysis(market: MarketData):
    """The default thesis analysed on the whole bundled dataset (shared, lazy)."""
    return make_analysis(market)


@pytest.fixture(scope="session")
def custom_analyses(market: MarketData):
    """Analyses of the two example theses that share nothing with the default."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "theses" / "examples"
    return {
        name: make_analysis(market, root / f"{name}.yaml")
        for name in ("defensive_late_cycle", "semis_capex")
    }
