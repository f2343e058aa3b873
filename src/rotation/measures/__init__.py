"""Calendar-aware performance measures of return series.

Every measure takes simple returns (Series, DataFrame or ndarray) and returns
a float per column. Annualisation uses ``periods_per_year``, inferred from
the date index when omitted (252 for sessions, 52 weekly, 12 monthly), never
a hard-coded 252. Sharpe and Sortino use returns in excess of a per-period
risk-free return.
"""

from __future__ import annotations

from rotation.measures._drawdown import (
    Drawdown,
    calmar_ratio,
    drawdown,
    max_drawdown,
    max_drawdown_info,
)
from rotation.measures._frequency import periods_per_year
from rotation.measures._ratios import (
    annual_volatility,
    cagr,
    hit_rate,
    sharpe_ratio,
    sortino_ratio,
    total_return,
)
from rotation.measures._regression import RegressionFit, ols_hac
from rotation.measures._relative import alpha, beta, information_ratio
from rotation.measures._sharpe_inference import (
    deflated_sharpe_ratio,
    expected_maximum_sharpe,
    probabilistic_sharpe_ratio,
    sharpe_ratio_test,
)
from rotation.measures._turnover import turnover

__all__ = [
    "Drawdown",
    "RegressionFit",
    "alpha",
    "annual_volatility",
    "beta",
    "cagr",
    "calmar_ratio",
    "deflated_sharpe_ratio",
    "drawdown",
    "expected_maximum_sharpe",
    "hit_rate",
    "information_ratio",
    "max_drawdown",
    "max_drawdown_info",
    "ols_hac",
    "periods_per_year",
    "probabilistic_sharpe_ratio",
    "sharpe_ratio",
    "sharpe_ratio_test",
    "sortino_ratio",
    "total_return",
    "turnover",
]
