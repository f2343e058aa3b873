"""Trend measures: momentum, moving averages, z-scores and drawdowns."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

from rotation._arrays import kernel_input
from rotation.indicators._kernels import _rolling_zscore
from rotation.indicators._validation import (
    check_frame_or_series,
    check_window,
    per_column_observations,
)

__all__ = [
    "distance_from_moving_average",
    "drawdown_from_high",
    "momentum",
    "moving_average_slope",
    "rolling_zscore",
]

PandasT = TypeVar("PandasT", pd.Series, pd.DataFrame)


def _float(values: PandasT, name: str) -> PandasT:
    check_frame_or_series(values, name)
    return values.astype("float64")


def _moving_average(prices: PandasT, window: int) -> PandasT:
    return prices.rolling(window, min_periods=window).mean()


def momentum(prices: PandasT, window: int, *, skip: int = 0) -> PandasT:
    r"""Price momentum over ``window`` observations, optionally skipping recent ones.

    Parameters
    ----------
    prices : Series or DataFrame of shape (n_observations, n_assets)
        Adjusted prices.
    window : int
        Look-back in observations, >= 1.
    skip : int, default 0
        Most recent observations left out (e.g. 21 for "12-1" momentum).

    Returns
    -------
    Series or DataFrame
        Same shape as ``prices``.

    Notes
    -----
    .. math:: m_t = \frac{P_{t-s}}{P_{t-s-w}} - 1

    NaN handling: a NaN is not an observation: each column's window counts
    only its own non-NaN values, rows where it is NaN are skipped and NaN in
    the output (so holidays in a wider panel never break a window). Nothing
    is filled.
    NaN for each column's first ``window + skip`` observations.

    Examples
    --------
    >>> import pandas as pd
    >>> momentum(pd.Series([100.0, 105.0, 110.0, 120.0]), 2, skip=1).round(4).tolist()
    [nan, nan, nan, 0.1]
    """
    values = _float(prices, "prices")
    window = check_window(window)
    skip = check_window(skip, "skip", minimum=0)
    return per_column_observations(
        values, lambda x: x.shift(skip) / x.shift(skip + window) - 1.0
    )


def moving_average_slope(
    prices: PandasT, window: int, *, slope_window: int = 21
) -> PandasT:
    r"""Relative change of a simple moving average over ``slope_window`` rows.

    Parameters
    ----------
    prices : Series or DataFrame of shape (n_observations, n_assets)
        Adjusted prices.
    window : int
        Moving-average length in observations, >= 1.
    slope_window : int, default 21
        Rows between the two moving-average values compared, >= 1.

    Returns
    -------
    Series or DataFrame
        Same shape as ``prices``.

    Notes
    -----
    .. math::
        \text{MA}_t = \frac{1}{w}\sum_{k=0}^{w-1} P_{t-k}, \qquad
        s_t = \frac{\text{MA}_t}{\text{MA}_{t-\ell}} - 1

    NaN handling: a NaN is not an observation: each column's window counts
    only its own non-NaN values, rows where it is NaN are skipped and NaN in
    the output (so holidays in a wider panel never break a window). Nothing
    is filled.
    NaN for each column's first ``window + slope_window - 1`` observations.
    """
    values = _float(prices, "prices")
    window = check_window(window)
    slope_window = check_window(slope_window, "slope_window")

    def compute(x: PandasT) -> PandasT:
        average = _moving_average(x, window)
        return average / average.shift(slope_window) - 1.0

    return per_column_observations(values, compute)


def distance_from_moving_average(prices: PandasT, window: int) -> PandasT:
    r"""Relative distance of the price from its simple moving average.

    Parameters
    ----------
    prices : Series or DataFrame of shape (n_observations, n_assets)
        Adjusted prices.
    window : int
        Moving-average length in observations, >= 1.

    Returns
    -------
    Series or DataFrame
        Same shape as ``prices``.

    Notes
    -----
    .. math:: d_t = \frac{P_t}{\text{MA}_t} - 1

    NaN handling: a NaN is not an observation: each column's window counts
    only its own non-NaN values, rows where it is NaN are skipped and NaN in
    the output (so holidays in a wider panel never break a window). Nothing
    is filled.
    NaN for each column's first ``window - 1`` observations.

    Examples
    --------
    >>> import pandas as pd
    >>> distance_from_moving_average(pd.Series([1.0, 2.0, 3.0]), 3).round(2).tolist()
    [nan, nan, 0.5]
    """
    values = _float(prices, "prices")
    window = check_window(window)
    return per_column_observations(
        values, lambda x: x / _moving_average(x, window) - 1.0
    )


def rolling_zscore(values: PandasT, window: int) -> PandasT:
    r"""Trailing z-score of each value against its own window.

    Parameters
    ----------
    values : Series or DataFrame of shape (n_observations, n_columns)
        Any numeric series (levels, ratios, spreads).
    window : int
        Window length in observations (including the current one), >= 2.

    Returns
    -------
    Series or DataFrame
        Same shape as ``values``.

    Notes
    -----
    .. math::
        z_t = \frac{x_t - \bar{x}_t}{s_t}, \quad
        \bar{x}_t = \frac{1}{w}\sum_{k=0}^{w-1} x_{t-k}, \quad
        s_t^2 = \frac{1}{w-1}\sum_{k=0}^{w-1} (x_{t-k} - \bar{x}_t)^2

    (sample standard deviation, as pandas ``rolling().std()``).

    NaN handling: a NaN is not an observation: each column's window counts
    only its own non-NaN values, rows where it is NaN are skipped and NaN in
    the output (so holidays in a wider panel never break a window). Nothing
    is filled.
    NaN for each column's first ``window - 1`` observations and where the
    window is constant (:math:`s_t = 0`).

    Examples
    --------
    >>> import pandas as pd
    >>> rolling_zscore(pd.Series([1.0, 2.0, 3.0, 1.0]), 3).round(3).tolist()
    [nan, nan, 1.0, -1.0]
    """
    frame = _float(values, "values")
    window = check_window(window, minimum=2)
    return per_column_observations(frame, lambda x: _zscore(x, window))


def _zscore(frame: PandasT, window: int) -> PandasT:
    # Column-major: the kernel walks each column down the dates.
    if isinstance(frame, pd.Series):
        column = frame.to_numpy(dtype=np.float64, na_value=np.nan)[:, None]
        return pd.Series(
            _rolling_zscore(kernel_input(column, "F"), window)[:, 0],
            index=frame.index,
            name=frame.name,
        )
    block = kernel_input(frame.to_numpy(dtype=np.float64, na_value=np.nan), "F")
    return pd.DataFrame(
        _rolling_zscore(block, window), index=frame.index, columns=frame.columns
    )


def drawdown_from_high(prices: PandasT, window: int | None = None) -> PandasT:
    r"""Drawdown of the price from its running (or trailing-window) high.

    Parameters
    ----------
    prices : Series or DataFrame of shape (n_observations, n_assets)
        Positive adjusted prices.
    window : int, optional
        Trailing window in observations for the high; ``None`` uses every
        price since the start.

    Returns
    -------
    Series or DataFrame
        Same shape as ``prices``, in :math:`[-1, 0]` for positive prices.

    Notes
    -----
    .. math:: \text{dd}_t = \frac{P_t}{\max_{t-w < k \le t} P_k} - 1

    NaN handling: NaN where :math:`P_t` is NaN; NaN prices are skipped when
    taking the high, so the high is defined from the first price on. With a
    ``window``, it counts each column's own non-NaN observations.
    Non-positive prices (e.g. WTI on 2020-04-20) make the ratio meaningless:
    use this on positive prices only.

    Examples
    --------
    >>> import pandas as pd
    >>> drawdown_from_high(pd.Series([100.0, 120.0, 90.0])).tolist()
    [0.0, 0.0, -0.25]
    """
    values = _float(prices, "prices")
    if window is None:
        return values / values.cummax() - 1.0
    size = check_window(window)
    return per_column_observations(
        values, lambda x: x / x.rolling(size, min_periods=1).max() - 1.0
    )
