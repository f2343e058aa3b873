"""One entry point for the CLI and notebooks: run a named strategy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from rotation.backtest._benchmarks import buy_and_hold, equal_weight
from rotation.backtest._engine import backtest
from rotation.backtest._momentum import dual_momentum, relative_momentum
from rotation.backtest._result import BacktestResult
from rotation.backtest._tilt import thesis_tilt

__all__ = ["STRATEGIES", "run_backtest"]

#: Strategy name -> function returning target weights.
STRATEGIES: dict[str, Callable[..., pd.DataFrame]] = {
    "relative_momentum": relative_momentum,
    "dual_momentum": dual_momentum,
    "thesis_tilt": thesis_tilt,
    "equal_weight": equal_weight,
    "buy_and_hold": buy_and_hold,
}


def run_backtest(
    strategy: str,
    prices: pd.DataFrame,
    *,
    params: Mapping[str, Any] | None = None,
    signal: pd.Series | None = None,
    cash_returns: pd.Series | None = None,
    cost_bps: float = 10.0,
    slippage_bps: float = 0.0,
    name: str | None = None,
) -> BacktestResult:
    """Build a named strategy's target weights and backtest them.

    Parameters
    ----------
    strategy : {"relative_momentum", "dual_momentum", "thesis_tilt", \
"equal_weight", "buy_and_hold"}
        Which strategy function of :mod:`rotation.backtest` to use.
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes.
    params : mapping, optional
        Keyword arguments of the strategy function (``lookback``, ``top_k``,
        ``risky``, ``tangible``...). ``dual_momentum`` receives
        ``cash_returns`` unless ``params`` sets it.
    signal : Series, optional
        The daily signal ``thesis_tilt`` needs (thesis health or regime
        probability).
    cash_returns : Series, optional
        Per-session cash returns (see :func:`cash_returns`).
    cost_bps, slippage_bps : float
        Trading costs in basis points of traded value.
    name : str, optional
        Label of the result; the strategy name by default.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> import numpy as np
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> rng = np.random.default_rng(0)
    >>> px = pd.DataFrame(
    ...     100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 4)), axis=0)),
    ...     index=idx, columns=list("ABCD"))
    >>> res = run_backtest("relative_momentum", px, params={"lookback": 60, "top_k": 2})
    >>> round(float(res.equity.iloc[0]), 1)
    1.0
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f"strategy must be one of {sorted(STRATEGIES)} (got {strategy!r})."
        )
    options = dict(params or {})
    allow_short, max_gross = False, 1.0
    if strategy == "thesis_tilt":
        if signal is None:
            raise ValueError(
                "strategy 'thesis_tilt' needs signal= (a daily Series of thesis "
                "health or rotation-regime probability)."
            )
        targets = thesis_tilt(prices, signal, **options)
        if options.get("mode") == "long_short":
            allow_short, max_gross = True, 2.0
    else:
        if strategy == "dual_momentum" and cash_returns is not None:
            options.setdefault("cash_returns", cash_returns)
        targets = STRATEGIES[strategy](prices, **options)
    return backtest(
        prices,
        targets,
        cost_bps=cost_bps,
        slippage_bps=slippage_bps,
        cash_returns=cash_returns,
        max_gross=max_gross,
        allow_short=allow_short,
        name=name or strategy,
        params={k: v for k, v in options.items() if k != "cash_returns"},
    )
