"""Causal rotation indicators (pure core).

Every indicator's value at date t uses data up to the close of t only.

Returns and baskets
    :func:`simple_returns`, :func:`basket_returns` (the one basket rule),
    :func:`basket_member_count`, :func:`basket_index`, :func:`relative_return`
Correlation and dispersion
    :func:`basket_average_correlation` (the one average-correlation path of
    a basket's prices), :func:`basket_dispersion`,
    :func:`rolling_average_correlation`, :func:`rolling_dispersion`
Trend
    :func:`momentum`, :func:`moving_average_slope`,
    :func:`distance_from_moving_average`, :func:`rolling_zscore`,
    :func:`drawdown_from_high`
Relative Rotation Graph
    :func:`rrg` (returns :class:`RRG`), :func:`to_weekly`
Rates
    :func:`fed_funds_midpoint`, :func:`dot_plot_medians`, :func:`rates_path`,
    :func:`year_over_year`
"""

from __future__ import annotations

from rotation.indicators._correlation import (
    basket_average_correlation,
    basket_dispersion,
    rolling_average_correlation,
    rolling_dispersion,
)
from rotation.indicators._rates import (
    dot_plot_medians,
    fed_funds_midpoint,
    rates_path,
    year_over_year,
)
from rotation.indicators._returns import (
    basket_index,
    basket_member_count,
    basket_returns,
    relative_return,
    simple_returns,
)
from rotation.indicators._rrg import RRG, rrg, to_weekly
from rotation.indicators._trend import (
    distance_from_moving_average,
    drawdown_from_high,
    momentum,
    moving_average_slope,
    rolling_zscore,
)

__all__ = [
    "RRG",
    "basket_average_correlation",
    "basket_dispersion",
    "basket_index",
    "basket_member_count",
    "basket_returns",
    "distance_from_moving_average",
    "dot_plot_medians",
    "drawdown_from_high",
    "fed_funds_midpoint",
    "momentum",
    "moving_average_slope",
    "rates_path",
    "relative_return",
    "rolling_average_correlation",
    "rolling_dispersion",
    "rolling_zscore",
    "rrg",
    "simple_returns",
    "to_weekly",
    "year_over_year",
]
