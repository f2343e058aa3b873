"""Simple returns, weighted baskets and relative returns between baskets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.indicators._validation import (
    check_frame,
    check_frame_or_series,
    check_window,
    observed_rows,
    on_observed_rows,
    weight_vector,
)

__all__ = [
    "basket_index",
    "basket_member_count",
    "basket_returns",
    "relative_return",
    "simple_returns",
]

PandasT = TypeVar("PandasT", pd.Series, pd.DataFrame)


def simple_returns(prices: PandasT, *, skip_empty_rows: bool = False) -> PandasT:
    r"""Compute simple returns of a price series or panel.

    Parameters
    ----------
    prices : Series or DataFrame of shape (n_observations, n_assets)
        Adjusted prices indexed by session date.
    skip_empty_rows : bool, default False
        Treat rows where every column is NaN as non-sessions of these assets
        (e.g. exchange holidays that other columns of a wider panel trade
        on): they are NaN in the output and :math:`P_{t-1}` is the previous
        row that has data, so the next day keeps its return.

    Returns
    -------
    Series or DataFrame
        Same type, index and columns as ``prices``.

    Notes
    -----
    .. math:: r_t = \frac{P_t}{P_{t-1}} - 1

    where :math:`t-1` is the previous row (the previous row with data when
    ``skip_empty_rows``).

    NaN handling: the first row is NaN, and so is every row where :math:`P_t`
    or :math:`P_{t-1}` is NaN; nothing is filled, so a gap loses the move
    across it.

    Examples
    --------
    >>> import pandas as pd
    >>> simple_returns(pd.Series([100.0, 110.0, 99.0])).round(2).tolist()
    [nan, 0.1, -0.1]
    """
    check_frame_or_series(prices, "prices")
    values = prices.astype("float64")
    if skip_empty_rows:
        return on_observed_rows(values, lambda x: x / x.shift(1) - 1.0)
    return values / values.shift(1) - 1.0


def _basket_arrays(
    returns: pd.DataFrame, weights: Mapping[str, float] | None
) -> tuple[FloatArray, FloatArray]:
    """Member returns (n_rows, n_members) and raw weights, weight > 0 only."""
    members, raw = weight_vector(returns.columns, weights, "weights")
    keep = [k for k, w in enumerate(raw) if w > 0.0]
    frame = returns[[members[k] for k in keep]]
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return values.reshape(len(returns), len(keep)), raw[keep]


def basket_returns(
    returns: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    min_members: int = 1,
) -> pd.Series:
    r"""Daily-rebalanced, constant-weight basket returns: the one basket rule.

    Every basket of the product (thesis baskets, spread legs, scenario
    factors, price panels) is built by this function, so a basket has one
    value wherever it is shown.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Simple returns of the members (:func:`simple_returns`).
    weights : mapping of str to float, optional
        Non-negative weight per member (column). Only the named columns are
        used. ``None`` gives equal weights over all columns.
    min_members : int, default 1
        Fewest members (with a positive weight) that must have a return for
        the basket to have one; pass the number of members to require all.

    Returns
    -------
    Series of shape (n_observations,)
        Basket return at each date, named ``None``.

    Notes
    -----
    .. math:: R_t = \frac{\sum_{i \in A_t} w_i r_{i,t}}{\sum_{i \in A_t} w_i}

    with :math:`A_t` the members with a non-NaN return at :math:`t`.

    NaN handling (the one basket rule): a member without a return on a date
    (not yet listed, a gap, a holiday of its exchange) is left out of that
    date and the weights are renormalised over the members present, so the
    basket's return is that of the members it holds; the basket return is
    NaN when fewer than ``min_members`` members have one (with the default,
    when none has). Nothing is filled. :func:`basket_member_count` says how
    many members each value stands on ("3 of 5 members").

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, 0.02], "B": [0.03, float("nan")]})
    >>> basket_returns(r, {"A": 3.0, "B": 1.0}).round(4).tolist()
    [0.015, 0.02]
    >>> basket_returns(r, min_members=2).round(4).tolist()
    [0.02, nan]
    """
    check_frame(returns, "returns")
    min_members = check_window(min_members, "min_members")
    values, raw = _basket_arrays(returns, weights)
    if values.shape[1] == 0:
        return pd.Series(np.nan, index=returns.index, dtype="float64")
    present = ~np.isnan(values)
    # einsum, not BLAS: a BLAS product's last bits depend on its thread count
    # and the array's layout, so two processes could disagree on one basket
    weight_sum = np.einsum("ij,j->i", present, raw)
    weighted = np.einsum("ij,j->i", np.where(present, values, 0.0), raw)
    enough = present.sum(axis=1) >= min_members
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(enough & (weight_sum > 0.0), weighted / weight_sum, np.nan)
    return pd.Series(out, index=returns.index, dtype="float64")


def basket_member_count(
    returns: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> pd.Series:
    """Count the members each :func:`basket_returns` value stands on.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Simple returns of the members.
    weights : mapping of str to float, optional
        As in :func:`basket_returns`; members with weight 0 do not count.

    Returns
    -------
    Series of int of shape (n_observations,)
        Named ``"members"``: members with a non-NaN return at each date
        (compare with the number of members, e.g. "3 of 5 members").

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, 0.02], "B": [0.03, float("nan")]})
    >>> basket_member_count(r).tolist()
    [2, 1]
    """
    check_frame(returns, "returns")
    values, _ = _basket_arrays(returns, weights)
    counts = (~np.isnan(values)).sum(axis=1)
    return pd.Series(counts, index=returns.index, dtype="int64", name="members")


def basket_index(
    prices: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    base: float = 100.0,
) -> pd.Series:
    r"""Index level of a daily-rebalanced basket.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted prices of the members.
    weights : mapping of str to float, optional
        As in :func:`basket_returns`; equal weights when ``None``.
    base : float, default 100.0
        Level on the first date where a member has a price.

    Returns
    -------
    Series of shape (n_observations,)

    Notes
    -----
    .. math:: I_{t_0} = \text{base}, \qquad I_t = I_{t-1} (1 + R_t)

    with :math:`R_t` the :func:`basket_returns` of the members' simple returns.

    NaN handling: rows where no member has a price (for example holidays of
    this basket's exchange that other columns of the panel trade on) are
    skipped when computing returns and are NaN in the output, so the move
    across such a row is kept. NaN before the first priced date. A day with
    prices but no member return (every member just resumed) contributes 0.
    """
    check_frame(prices, "prices")
    if not np.isfinite(base):
        raise ValueError(f"base must be a finite number (got {base!r}).")
    members, _ = weight_vector(prices.columns, weights, "weights")
    panel = prices[members].astype("float64")
    priced = observed_rows(panel)
    rows = panel[priced]
    out = pd.Series(np.nan, index=prices.index, dtype="float64")
    if rows.empty:
        return out
    rets = basket_returns(simple_returns(rows), weights)
    growth = (1.0 + rets.fillna(0.0)).cumprod()  # 0 return on the first priced row
    out[priced] = base * growth.to_numpy()
    return out


def _as_index(prices: pd.Series | pd.DataFrame, weights, name: str) -> pd.Series:
    if isinstance(prices, pd.Series):
        if weights is not None:
            raise ValueError(
                f"{name} must be None when the prices are a Series (got {weights!r})."
            )
        return basket_index(prices.to_frame("asset"))
    return basket_index(prices, weights)


def relative_return(
    prices_a: pd.Series | pd.DataFrame,
    prices_b: pd.Series | pd.DataFrame,
    window: int,
    *,
    weights_a: Mapping[str, float] | None = None,
    weights_b: Mapping[str, float] | None = None,
) -> pd.Series:
    r"""Trailing relative return of basket A over basket B.

    Parameters
    ----------
    prices_a, prices_b : Series or DataFrame of shape (n_observations, n_assets)
        Prices of one asset (Series) or of a basket's members (DataFrame).
        They are aligned on the dates they share.
    window : int
        Number of observations (rows) to compound over, >= 1.
    weights_a, weights_b : mapping of str to float, optional
        Basket weights as in :func:`basket_returns` (DataFrame inputs only).

    Returns
    -------
    Series
        Indexed by the shared dates.

    Notes
    -----
    .. math::
        \text{rel}_t = \frac{1 + R^A_{t-w,t}}{1 + R^B_{t-w,t}} - 1,
        \qquad 1 + R^X_{t-w,t} = \frac{I^X_t}{I^X_{t-w}}

    with :math:`I^X` the :func:`basket_index` of X (for a Series, the price
    itself), so :math:`R^X` compounds the basket's daily returns.

    NaN handling: the window counts the rows where both baskets have an
    index level (rows where a basket has no price at all are skipped and
    NaN in the output); NaN for the first ``window`` such rows.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series([100.0, 110.0, 121.0])
    >>> b = pd.Series([100.0, 100.0, 110.0])
    >>> relative_return(a, b, 2).round(4).tolist()
    [nan, nan, 0.1]
    """
    check_frame_or_series(prices_a, "prices_a")
    check_frame_or_series(prices_b, "prices_b")
    window = check_window(window)
    prices_a, prices_b = prices_a.align(prices_b, join="inner", axis=0)
    index_a = _as_index(prices_a, weights_a, "weights_a")
    index_b = _as_index(prices_b, weights_b, "weights_b")
    rows = index_a.notna().to_numpy() & index_b.notna().to_numpy()
    both_a, both_b = index_a[rows], index_b[rows]
    growth_a = both_a / both_a.shift(window)
    growth_b = both_b / both_b.shift(window)
    return (growth_a / growth_b - 1.0).reindex(index_a.index)
