"""Helpers shared by the indicator tests: no-look-ahead checks and real baskets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

AI_LARGE = ["NVDA", "MSFT", "GOOGL", "META", "AMZN", "AVGO", "ORCL"]
SECTORS = ["XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC"]
TANGIBLE = ["XLI", "XLB", "XLE"]


def _as_frames(out) -> list[pd.DataFrame]:
    if isinstance(out, pd.Series):
        return [out.to_frame()]
    if isinstance(out, pd.DataFrame):
        return [out]
    if isinstance(out, tuple | list):
        return [frame for item in out for frame in _as_frames(item)]
    raise TypeError(type(out))


def assert_outputs_equal(left, right, *, rtol: float = 0.0, atol: float = 0.0) -> None:
    """Same index/columns and values (NaN == NaN); exact by default."""
    for a, b in zip(_as_frames(left), _as_frames(right), strict=True):
        pd.testing.assert_index_equal(a.index, b.index)
        pd.testing.assert_index_equal(a.columns, b.columns)
        np.testing.assert_allclose(
            a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=rtol, atol=atol
        )


def check_prefix_invariance(
    fn: Callable, data: pd.Series | pd.DataFrame, cuts: Sequence[int]
) -> None:
    """f(x[:t]) == f(x)[:t] for every cut t (row position)."""
    full = fn(data)
    for t in cuts:
        prefix = fn(data.iloc[:t])
        head = [frame.iloc[:t] for frame in _as_frames(full)]
        assert_outputs_equal(prefix, head)


def check_perturb_after(
    fn: Callable,
    data: pd.Series | pd.DataFrame,
    cuts: Sequence[int],
    *,
    seed: int = 7,
) -> None:
    """Changing every row from t on leaves the output before t unchanged."""
    rng = np.random.default_rng(seed)
    full = fn(data)
    effects = []
    for t in cuts:
        changed = data.copy()
        shape = changed.iloc[t:].shape
        noise = rng.uniform(0.5, 1.5, size=shape)
        if isinstance(changed, pd.Series):
            changed.iloc[t:] = changed.iloc[t:].to_numpy() * noise
        else:
            changed.iloc[t:, :] = changed.iloc[t:].to_numpy() * noise
        out = fn(changed)
        before = [frame.iloc[:t] for frame in _as_frames(out)]
        expected = [frame.iloc[:t] for frame in _as_frames(full)]
        assert_outputs_equal(before, expected)
        # the perturbation must reach the output somewhere, or the test proves nothing
        after = np.concatenate(
            [f.iloc[t:].to_numpy(dtype=float).ravel() for f in _as_frames(out)]
        )
        orig = np.concatenate(
            [f.iloc[t:].to_numpy(dtype=float).ravel() for f in _as_frames(full)]
        )
        both = ~np.isnan(after) & ~np.isnan(orig)
        effects.append(not np.allclose(after[both], orig[both]))
    assert any(effects), "perturbation had no effect on the output"


@pytest.fixture(scope="session")
def lookahead() -> SimpleNamespace:
    return SimpleNamespace(
        prefix=check_prefix_invariance,
        perturb=check_perturb_after,
        equal=assert_outputs_equal,
    )


@pytest.fixture(scope="session")
def ai_prices(market) -> pd.DataFrame:
    return market.prices[AI_LARGE].dropna(how="all")


@pytest.fixture(scope="session")
def sector_prices(market) -> pd.DataFrame:
    return market.prices[[*SECTORS, "SPY"]].dropna(how="all")


def random_prices(n_obs: int, n_assets: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, 0.01, size=(n_obs, 1))
    rets = 0.5 * common + rng.normal(0.0003, 0.01, size=(n_obs, n_assets))
    index = pd.bdate_range("2010-01-01", periods=n_obs, name="date")
    return pd.DataFrame(
        100.0 * np.cumprod(1.0 + rets, axis=0),
        index=index,
        columns=[f"S{i}" for i in range(n_assets)],
    )


@pytest.fixture(scope="session")
def make_prices() -> Callable[..., pd.DataFrame]:
    return random_prices
