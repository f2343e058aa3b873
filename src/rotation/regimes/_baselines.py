"""Plain baselines of the rotation direction: trailing sign and MA crossover."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.regimes._validation import check_positive_int, check_returns_series

__all__ = ["moving_average_crossover", "trailing_sign"]


def trailing_sign(returns: pd.Series, *, window: int = 63) -> pd.Series:
    r"""1.0 when the spread compounded over the last ``window`` sessions is positive.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions).
    window : int, default 63
        Sessions in the trailing window.

    Returns
    -------
    Series
        Named ``"rotation"``: 1.0 if :math:`\prod_{u=t-w+1}^{t}(1+s_u) > 1`,
        0.0 otherwise, NaN for the first ``window - 1`` sessions.

    Notes
    -----
    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError``.
    """
    series, values, first = check_returns_series(returns, "returns")
    window = check_positive_int(window, "window")
    log_sum = pd.Series(np.log1p(values), index=series.index).rolling(window).sum()
    return (log_sum > 0).astype("float64").where(log_sum.notna()).rename("rotation")


def moving_average_crossover(
    returns: pd.Series, *, short_window: int = 50, long_window: int = 200
) -> pd.Series:
    r"""1.0 when the spread index's short moving average is above its long one.

    Parameters
    ----------
    returns : Series of shape (n_sessions,)
        Daily spread returns (fractions).
    short_window, long_window : int, default 50 and 200
        Moving-average lengths in sessions (``short_window < long_window``).

    Returns
    -------
    Series
        Named ``"rotation"``: 1.0 if :math:`\bar x^{(short)}_t > \bar x^{(long)}_t`
        on the log index :math:`x_t = \sum_{u \le t} \log(1 + s_u)`, else 0.0;
        NaN for the first ``long_window - 1`` sessions.

    Notes
    -----
    NaN handling: as :func:`trailing_sign`.
    """
    series, values, first = check_returns_series(returns, "returns")
    short_window = check_positive_int(short_window, "short_window")
    long_window = check_positive_int(long_window, "long_window", minimum=2)
    if short_window >= long_window:
        raise ValueError(
            f"short_window must be below long_window (got {short_window} and "
            f"{long_window})."
        )
    level = pd.Series(np.log1p(values), index=series.index).cumsum()
    short = level.rolling(short_window).mean()
    long = level.rolling(long_window).mean()
    return (short > long).astype("float64").where(long.notna()).rename("rotation")
