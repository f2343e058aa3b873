"""The backtest engine: targets decided at close t are traded at close t+1."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rotation.backtest._kernels import _simulate
from rotation.backtest._result import BacktestResult

__all__ = ["backtest"]

_TOLERANCE = 1e-9


def validate_prices(prices: pd.DataFrame) -> np.ndarray:
    """Check that ``prices`` is a wide panel the engine can use; return its values."""
    if not isinstance(prices, pd.DataFrame):
        raise ValueError(
            f"prices must be a DataFrame of sessions x assets (got "
            f"{type(prices).__name__})."
        )
    if not isinstance(prices.index, pd.DatetimeIndex):
        raise ValueError(
            f"prices must be indexed by a DatetimeIndex of sessions (got "
            f"{type(prices.index).__name__})."
        )
    if len(prices.index) < 2:
        raise ValueError(f"prices must hold at least 2 sessions (got {len(prices)}).")
    if not (prices.index.is_monotonic_increasing and prices.index.is_unique):
        raise ValueError("prices.index must be strictly increasing (sorted, unique).")
    values = prices.to_numpy(dtype=float, na_value=np.nan)
    if np.any(values <= 0):  # NaN compares False
        raise ValueError(
            "prices must be positive adjusted closes (found values <= 0); use total "
            "return indices for series such as WTI that can go negative."
        )
    return values


def cash_array(cash_returns: pd.Series | None, index: pd.DatetimeIndex) -> np.ndarray:
    """Cash returns aligned on ``index`` as an array (zeros when not given)."""
    if cash_returns is None:
        return np.zeros(len(index))
    aligned = cash_returns.reindex(index).to_numpy(dtype=float, copy=True)
    missing = np.isnan(aligned[1:])
    if missing.any():
        first = index[1:][missing][0]
        raise ValueError(
            f"cash_returns has no value for {int(missing.sum())} session(s) of prices "
            f"(first {first.date()}); build it with cash_returns(rate, index=...)."
        )
    aligned[0] = 0.0
    return aligned


def backtest(
    prices: pd.DataFrame,
    target_weights: pd.DataFrame,
    *,
    cost_bps: float = 10.0,
    slippage_bps: float = 0.0,
    cash_returns: pd.Series | None = None,
    max_gross: float = 1.0,
    allow_short: bool = False,
    name: str = "strategy",
    params: Mapping[str, object] | None = None,
) -> BacktestResult:
    r"""Simulate trading to target weights, one session after each decision.

    Parameters
    ----------
    prices : DataFrame of shape (n_observations, n_assets)
        Adjusted closes indexed by session (NaN before listing).
    target_weights : DataFrame of shape (n_decisions, n_targets)
        Target weight per asset decided **at the close of each row's date**,
        using data up to that close. A row of all NaN (or a date absent from
        the frame) means "no decision"; on a decision row NaN counts as 0.
        Columns must be among ``prices`` columns; the rest is cash.
    cost_bps : float, default 10.0
        Commission in basis points of traded value.
    slippage_bps : float, default 0.0
        Fixed slippage in basis points of traded value, added to the
        commission (a half-spread that does not depend on size).
    cash_returns : Series, optional
        Return of cash per session (see :func:`cash_returns`); zero if omitted.
    max_gross : float, default 1.0
        Largest allowed :math:`\sum_i |w_i|`; raise it to allow leverage.
    allow_short : bool, default False
        Allow negative weights (long/short baskets).
    name : str, default "strategy"
        Label of the result.
    params : mapping, optional
        Parameters stored on the result.

    Returns
    -------
    BacktestResult

    Notes
    -----
    Timing: a target decided at the close of session t is traded at the close
    of session t+1 (the next row of ``prices``). This shift is made here and
    nowhere else; strategies return weights dated by their decision.

    Between trades weights drift with prices. Over (t-1, t]:

    .. math::

        1 + r^{g}_t = w^{c}_{t-1}(1 + c_t) + \sum_i w_{t-1,i}(1 + r_{t,i})

    and on a trade at t the portfolio pays
    :math:`k_t = (\text{cost} + \text{slippage}) 10^{-4}
    \sum_i |w^*_i - \tilde w_{t,i}|` of its value, where :math:`\tilde w`
    are the drifted weights, so the net return is
    :math:`(1 + r^{g}_t)(1 - k_t) - 1` and the weights become the targets
    :math:`w^*`. Cash (weight :math:`1 - \sum_i w_i`, negative when leveraged)
    earns :math:`c_t`.

    NaN handling: a NaN price after an asset's first price is carried as
    unchanged (see :func:`prices_to_returns`), so the asset can be held and
    traded at its last close; a non-zero target on an asset that has no price
    yet at the decision close (not listed) raises ``ValueError``.
    """
    values = validate_prices(prices)
    if not isinstance(target_weights, pd.DataFrame):
        raise ValueError(
            f"target_weights must be a DataFrame (got {type(target_weights).__name__})."
        )
    same_columns = target_weights.columns.equals(prices.columns)
    unknown = (
        []
        if same_columns
        else [c for c in target_weights.columns if c not in set(prices.columns)]
    )
    if unknown:
        raise ValueError(
            f"target_weights has columns not in prices: {unknown}; allowed: "
            f"{list(prices.columns)}."
        )
    for label, value in (("cost_bps", cost_bps), ("slippage_bps", slippage_bps)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{label} must be >= 0 (got {value!r}); 10 means 0.1%.")
    if not max_gross > 0:
        raise ValueError(f"max_gross must be positive (got {max_gross!r}).")
    index = pd.DatetimeIndex(prices.index)
    if same_columns and target_weights.index.equals(index):
        aligned = target_weights
    else:
        extra = target_weights.index.difference(index)
        if len(extra):
            raise ValueError(
                f"target_weights has {len(extra)} date(s) that are not sessions of "
                f"prices (first {extra[0]}); decisions must be dated by a session "
                "close."
            )
        aligned = target_weights.reindex(index=index, columns=prices.columns)
    raw = aligned.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(raw)
    decide = ~missing.all(axis=1)
    targets = np.where(missing, 0.0, raw)
    _check_targets(targets, decide, values, prices, max_gross, allow_short)
    asset_returns = returns_from_prices(values)
    cash = cash_array(cash_returns, index)
    cost_rate = (cost_bps + slippage_bps) / 1e4
    equity, weights, trades, cost_fraction = _simulate(
        asset_returns,
        cash,
        np.ascontiguousarray(targets),
        decide,
        cost_rate,
    )
    equity_s = pd.Series(equity, index=index, name=name)
    pre_cost_equity = np.empty_like(equity)
    pre_cost_equity[1:] = equity[1:] / np.where(
        cost_fraction[1:] < 1.0, 1.0 - cost_fraction[1:], np.nan
    )
    return BacktestResult(
        equity=equity_s,
        returns=pd.Series(equity[1:] / equity[:-1] - 1.0, index=index[1:], name=name),
        weights=pd.DataFrame(weights, index=index, columns=prices.columns),
        trades=pd.DataFrame(trades[1:], index=index[1:], columns=prices.columns),
        costs=pd.Series(
            (cost_fraction * pre_cost_equity)[1:], index=index[1:], name="costs"
        ),
        cash_returns=pd.Series(cash[1:], index=index[1:], name="cash"),
        name=name,
        params=dict(params or {}),
    )


def _check_targets(
    targets: np.ndarray,
    decide: np.ndarray,
    values: np.ndarray,
    prices: pd.DataFrame,
    max_gross: float,
    allow_short: bool,
) -> None:
    rows = np.flatnonzero(decide)
    chosen = targets[rows]
    dates = prices.index[rows]
    if not np.all(np.isfinite(chosen)):
        raise ValueError("target_weights must be finite (found inf).")
    if not allow_short and np.any(chosen < -_TOLERANCE):
        row = int(np.flatnonzero((chosen < -_TOLERANCE).any(axis=1))[0])
        raise ValueError(
            f"target_weights has negative weights (first on {dates[row].date()}); "
            "pass allow_short=True for long/short baskets."
        )
    gross = np.abs(chosen).sum(axis=1)
    if np.any(gross > max_gross + _TOLERANCE):
        row = int(np.argmax(gross))
        raise ValueError(
            f"target_weights has gross exposure {gross[row]:.4f} on "
            f"{dates[row].date()}, above max_gross={max_gross}; raise max_gross to "
            "allow leverage."
        )
    suspect = np.isnan(values[rows]) & (chosen != 0.0)
    if not suspect.any():
        return
    # a NaN at the decision close is fine inside the history (carried close)
    priced = ~np.isnan(values)
    first = np.where(priced.any(axis=0), priced.argmax(axis=0), len(values))
    bad = suspect & (rows[:, None] < first[None, :])
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise ValueError(
            f"target_weights puts {chosen[row, col]:.4f} in "
            f"{prices.columns[col]!r} on {dates[row].date()}, before its first "
            "price; an asset can only be targeted once it trades."
        )


def returns_from_prices(prices: np.ndarray) -> np.ndarray:
    r"""Close-to-close returns, carrying the last price over gaps.

    .. math:: r_{t,j} = P_{t,j} / P_{\tau,j} - 1

    where :math:`\tau < t` is the last row with a price of asset ``j``.

    Parameters
    ----------
    prices : ndarray of shape (n_observations, n_assets)
        Closes, NaN where an asset has no price.

    Returns
    -------
    ndarray of shape (n_observations, n_assets), C-ordered
        0.0 where there is no price at ``t`` or none before it (a gap earns
        nothing; the move is booked on the next close).
    """
    prices = np.asarray(prices, dtype=float)
    out = np.zeros(prices.shape)
    known = ~np.isnan(prices)
    if (known[1:] >= known[:-1]).all():
        # the common case: no gap after listing, so the last price is the
        # previous row's (NaN before listing, which is left at 0.0)
        previous = prices[:-1]
    else:
        previous = pd.DataFrame(prices).ffill().to_numpy()[:-1]
    with np.errstate(invalid="ignore"):  # NaN / price: not a move, set to 0.0
        step = prices[1:] / previous - 1.0
    out[1:] = np.where(np.isnan(step), 0.0, step)
    return out
