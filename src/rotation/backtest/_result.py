"""The immutable result of one backtest."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from rotation import measures

__all__ = ["BacktestResult"]


@dataclass(frozen=True)
class BacktestResult:
    """What a backtest did and how it performed.

    Attributes
    ----------
    equity : Series of shape (n_observations,)
        Portfolio value after costs at each close, starting at 1.0.
    returns : Series of shape (n_observations - 1,)
        Net simple return from each close to the next (first session left out).
    weights : DataFrame of shape (n_observations, n_assets)
        Weights held after the close's trades (cash is ``1 - sum``).
    trades : DataFrame of shape (n_observations - 1, n_assets)
        Weight traded at each close, as a fraction of portfolio value.
    costs : Series of shape (n_observations - 1,)
        Costs paid at each close, in units of the starting equity.
    cash_returns : Series of shape (n_observations - 1,)
        Return of cash over each period (the risk-free rate for Sharpe).
    name : str
        Label used in tables and figures.
    params : dict
        The parameters that produced the result.
    """

    equity: pd.Series
    returns: pd.Series
    weights: pd.DataFrame
    trades: pd.DataFrame
    costs: pd.Series
    cash_returns: pd.Series
    name: str = "strategy"
    params: dict[str, object] = field(default_factory=dict)

    @cached_property
    def periods_per_year(self) -> float:
        """Annualisation factor inferred from the dates."""
        return measures.periods_per_year(self.equity.index)

    @cached_property
    def turnover(self) -> pd.Series:
        """One-way turnover at each close (half the gross traded weight)."""
        return (0.5 * self.trades.abs().sum(axis=1)).rename("turnover")

    @cached_property
    def cash_weight(self) -> pd.Series:
        """Weight in cash after each close."""
        return (1.0 - self.weights.sum(axis=1)).rename("cash")

    @cached_property
    def drawdown(self) -> pd.Series:
        """Drawdown from the running peak of equity."""
        path: pd.Series = measures.drawdown(self.returns)
        return path.rename("drawdown")

    @cached_property
    def metrics(self) -> dict[str, float]:
        """Performance measures (see :meth:`summary`)."""
        r, rf, ppy = self.returns, self.cash_returns, self.periods_per_year
        return {
            "total_return": measures.total_return(r),
            "cagr": measures.cagr(r, periods_per_year=ppy),
            "volatility": measures.annual_volatility(r, periods_per_year=ppy),
            "sharpe": measures.sharpe_ratio(r, risk_free=rf, periods_per_year=ppy),
            "sortino": measures.sortino_ratio(r, risk_free=rf, periods_per_year=ppy),
            "max_drawdown": measures.max_drawdown(r),
            "calmar": measures.calmar_ratio(r, periods_per_year=ppy),
            "hit_rate": measures.hit_rate(r),
            "turnover": measures.turnover(self.trades, periods_per_year=ppy),
            "costs_paid": float(self.costs.sum()),
        }

    def summary(self, benchmark: BacktestResult | pd.Series | None = None) -> pd.Series:
        """Tear-sheet numbers of the backtest.

        Parameters
        ----------
        benchmark : BacktestResult or Series, optional
            Benchmark returns for beta, alpha and the information ratio.

        Returns
        -------
        Series
            ``total_return``, ``cagr``, ``volatility``, ``sharpe`` and
            ``sortino`` (excess of cash), ``max_drawdown`` with its
            ``peak``/``trough``/``recovery`` dates, ``calmar``, ``hit_rate``,
            annual ``turnover``, ``costs_paid``, and with a benchmark ``beta``,
            ``alpha`` and ``information_ratio``.
        """
        values: dict[str, object] = dict(self.metrics)
        info = measures.max_drawdown_info(self.returns)
        values["drawdown_peak"] = info.peak
        values["drawdown_trough"] = info.trough
        values["drawdown_recovery"] = info.recovery
        if benchmark is not None:
            bench = (
                benchmark.returns
                if isinstance(benchmark, BacktestResult)
                else benchmark
            )
            ppy = self.periods_per_year
            values["beta"] = measures.beta(self.returns, bench)
            values["alpha"] = measures.alpha(
                self.returns, bench, risk_free=self.cash_returns, periods_per_year=ppy
            )
            values["information_ratio"] = measures.information_ratio(
                self.returns, bench, periods_per_year=ppy
            )
        return pd.Series(values, name=self.name, dtype=object)

    def __repr__(self) -> str:
        start, end = self.equity.index[0], self.equity.index[-1]
        m = self.metrics
        return (
            f"BacktestResult({self.name!r}, {start.date()}..{end.date()}, "
            f"CAGR={m['cagr']:.2%}, Sharpe={m['sharpe']:.2f}, "
            f"MaxDD={m['max_drawdown']:.2%})"
        )
