from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def daily_returns() -> pd.Series:
    rng = np.random.default_rng(42)
    index = pd.bdate_range("2015-01-02", periods=1500)
    values = rng.normal(0.0004, 0.011, size=index.size)
    values[0] = 0.004  # positive first day: empyrical counts no day-one drawdown
    return pd.Series(values, index=index, name="strategy")


@pytest.fixture(scope="module")
def benchmark_returns(daily_returns: pd.Series) -> pd.Series:
    rng = np.random.default_rng(7)
    noise = rng.normal(0.0002, 0.008, size=daily_returns.size)
    return pd.Series(0.6 * daily_returns.to_numpy() + noise, index=daily_returns.index)
