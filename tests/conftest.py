"""Shared fixtures: the bundled real dataset, loaded once per session."""

from __future__ import annotations

import pytest

from rotation.data.bundled import load_market_data
from rotation.market import MarketData


@pytest.fixture(scope="session")
def market() -> MarketData:
    """The bundled real dataset as a point-in-time MarketData (as of its last date)."""
    return load_market_data()
