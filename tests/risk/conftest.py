"""Seeded data for the risk tests (small on purpose: the machine is shared)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def asset_returns() -> pd.DataFrame:
    """Six correlated fat-tailed assets over 800 business days."""
    rng = np.random.default_rng(42)
    n, p = 800, 6
    loadings = rng.normal(0.0, 1.0, (p, 2))
    common = rng.standard_t(5, (n, 2)) * 0.006
    idio = rng.standard_t(4, (n, p)) * 0.008
    values = common @ loadings.T + idio + 0.0002
    index = pd.bdate_range("2015-01-01", periods=n, name="date")
    return pd.DataFrame(values, index=index, columns=[f"A{i}" for i in range(p)])


@pytest.fixture(scope="module")
def weights() -> dict[str, float]:
    return {"A0": 0.5, "A1": 0.3, "A2": 0.2, "A3": -0.4}
