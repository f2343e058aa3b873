"""Relative Rotation Graph (RRG) lines, quadrants, transitions and tails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from rotation.indicators._trend import _zscore
from rotation.indicators._validation import (
    check_frame,
    check_window,
    per_column_observations,
)

__all__ = ["RRG", "rrg", "to_weekly"]

RRGVariant = Literal["zscore", "ema_ratio"]
RRGFrequency = Literal["daily", "weekly"]

QUADRANTS = ("leading", "weakening", "lagging", "improving")


def to_weekly(values: pd.DataFrame) -> pd.DataFrame:
    """Last close of each W-FRI week, labelled by the week's last session.

    Parameters
    ----------
    values : DataFrame of shape (n_sessions, n_columns)
        Daily values on a DatetimeIndex.

    Returns
    -------
    DataFrame of shape (n_weeks, n_columns)
        One row per week (Saturday to Friday) that has at least one session:
        each column's last non-NaN value in that week.

    Notes
    -----
    Labelling a week by its last actual session rather than by the Friday
    keeps the resampling causal: a week still in progress is labelled by
    the latest session seen, never by a future date.

    NaN handling: NaN where a column has no value in the whole week.
    """
    check_frame(values, "values")
    if not isinstance(values.index, pd.DatetimeIndex):
        raise TypeError(
            "values must be indexed by a DatetimeIndex of session dates "
            f"(got {type(values.index).__name__})."
        )
    if values.empty:
        return values.copy()
    weeks = values.index.to_period("W-FRI")
    last = values.groupby(weeks).last()
    labels = pd.Series(values.index, index=values.index).groupby(weeks).max()
    last.index = pd.DatetimeIndex(
        labels.loc[last.index].to_numpy(), name=values.index.name
    )
    return last


@dataclass(frozen=True)
class RRG:
    r"""Immutable result of :func:`rrg`.

    Attributes
    ----------
    rs_ratio : DataFrame of shape (n_periods, n_assets)
        RS-Ratio (trend of relative strength), centred on 100.
    rs_momentum : DataFrame of shape (n_periods, n_assets)
        RS-Momentum (rate of change of RS-Ratio), centred on 100.
    relative_strength : DataFrame of shape (n_periods, n_assets)
        :math:`100 \cdot P / B`.
    window, momentum_window : int
        Parameters used, in periods of ``frequency``.
    variant : {"zscore", "ema_ratio"}
    frequency : {"daily", "weekly"}
    """

    rs_ratio: pd.DataFrame
    rs_momentum: pd.DataFrame
    relative_strength: pd.DataFrame
    window: int
    momentum_window: int
    variant: RRGVariant
    frequency: RRGFrequency

    def quadrants(self) -> pd.DataFrame:
        """Quadrant of each asset at each period.

        Returns
        -------
        DataFrame of shape (n_periods, n_assets)
            ``"leading"`` (RS-Ratio >= 100, RS-Momentum >= 100),
            ``"weakening"`` (>= 100, < 100), ``"lagging"`` (< 100, < 100) or
            ``"improving"`` (< 100, >= 100); missing (NaN) where either line
            is NaN.
        """
        ratio = self.rs_ratio.to_numpy()
        mom = self.rs_momentum.to_numpy()
        labels = np.select(
            [
                (ratio >= 100) & (mom >= 100),
                (ratio >= 100) & (mom < 100),
                (ratio < 100) & (mom < 100),
                (ratio < 100) & (mom >= 100),
            ],
            list(QUADRANTS),
            default="",
        )
        frame = pd.DataFrame(
            labels, index=self.rs_ratio.index, columns=self.rs_ratio.columns
        )
        return frame.where(frame != "")

    def transitions(self) -> pd.DataFrame:
        """Every change of quadrant, as a tidy table.

        Returns
        -------
        DataFrame
            Columns ``date``, ``symbol``, ``from``, ``to``, one row per change
            between consecutive periods where both quadrants are known, sorted
            by date then symbol.
        """
        quads = self.quadrants()
        rows = []
        for symbol in quads.columns:
            col = quads[symbol]
            prev = col.shift(1)
            changed = col.notna() & prev.notna() & (col != prev)
            for date in col.index[changed.to_numpy(dtype=bool)]:
                rows.append((date, symbol, prev.loc[date], col.loc[date]))
        frame = pd.DataFrame(rows, columns=["date", "symbol", "from", "to"])
        if frame.empty:
            frame["date"] = pd.to_datetime(frame["date"])
            return frame
        return frame.sort_values(["date", "symbol"], kind="stable").reset_index(
            drop=True
        )

    def tails(self, length: int = 10) -> pd.DataFrame:
        r"""Return each asset's last ``length`` points with heading and speed.

        Parameters
        ----------
        length : int, default 10
            Points per asset (e.g. 10 weekly periods).

        Returns
        -------
        DataFrame
            Columns ``symbol``, ``date``, ``rs_ratio``, ``rs_momentum``,
            ``heading_deg`` and ``speed``; the last ``length`` periods of the
            result's index with both lines known, oldest first.

        Notes
        -----
        .. math::
            \theta_t = \operatorname{atan2}(\Delta M_t, \Delta R_t)
                \bmod 360^\circ, \qquad
            v_t = \sqrt{\Delta R_t^2 + \Delta M_t^2}

        with :math:`\Delta` the change from the previous period: 0 degrees
        points right (RS-Ratio rising), 90 up (RS-Momentum rising).
        NaN heading and speed where the previous period is unknown.
        """
        length = check_window(length, "length")
        ratio, mom = self.rs_ratio, self.rs_momentum
        d_ratio = ratio.diff()
        d_mom = mom.diff()
        heading = pd.DataFrame(
            np.degrees(np.arctan2(d_mom.to_numpy(), d_ratio.to_numpy())) % 360.0,
            index=ratio.index,
            columns=ratio.columns,
        )
        speed = pd.DataFrame(
            np.hypot(d_ratio.to_numpy(), d_mom.to_numpy()),
            index=ratio.index,
            columns=ratio.columns,
        )
        frames = []
        for symbol in ratio.columns:
            known = ratio[symbol].notna() & mom[symbol].notna()
            idx = ratio.index[known.to_numpy(dtype=bool)][-length:]
            frames.append(
                pd.DataFrame(
                    {
                        "symbol": symbol,
                        "date": idx,
                        "rs_ratio": ratio.loc[idx, symbol].to_numpy(),
                        "rs_momentum": mom.loc[idx, symbol].to_numpy(),
                        "heading_deg": heading.loc[idx, symbol].to_numpy(),
                        "speed": speed.loc[idx, symbol].to_numpy(),
                    }
                )
            )
        if not frames:
            return pd.DataFrame(
                columns=[
                    "symbol",
                    "date",
                    "rs_ratio",
                    "rs_momentum",
                    "heading_deg",
                    "speed",
                ]
            )
        return pd.concat(frames, ignore_index=True)


def rrg(
    prices: pd.DataFrame,
    benchmark: pd.Series,
    *,
    window: int = 63,
    momentum_window: int = 21,
    variant: RRGVariant = "zscore",
    frequency: RRGFrequency = "daily",
) -> RRG:
    r"""Relative Rotation Graph lines of each asset against a benchmark.

    Parameters
    ----------
    prices : DataFrame of shape (n_sessions, n_assets)
        Adjusted prices of the assets (e.g. the 11 sector SPDRs).
    benchmark : Series of shape (n_sessions,)
        Adjusted prices of the benchmark (e.g. SPY), on the same dates.
    window : int, default 63
        Normalisation window in periods of ``frequency`` (z-score window, or
        slow EMA span for ``"ema_ratio"``), >= 2.
    momentum_window : int, default 21
        Rate-of-change look-back :math:`k` in periods (and fast EMA span for
        ``"ema_ratio"``), >= 1.
    variant : {"zscore", "ema_ratio"}, default "zscore"
        How RS is normalised (see Notes).
    frequency : {"daily", "weekly"}, default "daily"
        ``"weekly"`` first takes the last close of each W-FRI week (labelled by
        its last session, see :func:`to_weekly`).

    Returns
    -------
    RRG
        Immutable result with ``rs_ratio``, ``rs_momentum``, ``quadrants()``,
        ``transitions()`` and ``tails(length)``.

    Notes
    -----
    .. math:: \text{RS}_t = 100 \, P_t / B_t

    ``"zscore"`` (the default):

    .. math::
        \text{RSR}_t = 100 + z_w(\text{RS})_t, \qquad
        \text{ROC}_t = \frac{\text{RSR}_t}{\text{RSR}_{t-k}} - 1, \qquad
        \text{RSM}_t = 100 + z_w(\text{ROC})_t

    with :math:`z_w` the trailing z-score of
    :func:`~rotation.indicators.rolling_zscore` (sample
    standard deviation). The momentum is a true rate of change of RS-Ratio,
    then standardised; it is not RS-Ratio divided by a fixed base, which would
    make momentum a rescaled copy of RS-Ratio.

    ``"ema_ratio"``:

    .. math::
        \text{RSR}_t = 100 \, \frac{\text{EMA}_k(\text{RS})_t}
                                   {\text{EMA}_w(\text{RS})_t}, \qquad
        \text{RSM}_t = 100 \, \frac{\text{RSR}_t}{\text{RSR}_{t-k}}

    with :math:`\text{EMA}_n` the recursive exponential average of span
    :math:`n` (:math:`\alpha = 2/(n+1)`, seeded with the first value, valid
    after :math:`n` values). RRG is J. de Kempenaer's (RRG Research,
    StockCharts); the official JdK RS-Ratio and RS-Momentum formulas are
    proprietary, and both variants here are documented approximations
    inspired by them, not replicas.

    NaN handling: NaN until the windows fill and wherever a price of the
    asset or the benchmark is NaN inside a window (z-score variant); the
    EMA variant skips NaN values. A NaN relative strength is not an
    observation: each asset's windows count its own non-NaN values, rows
    where it is NaN (e.g. benchmark holidays in a wider panel) are skipped
    and NaN in the output. Nothing is filled.

    References
    ----------
    .. [1] J. de Kempenaer, "Relative Rotation Graphs", RRG Research;
       StockCharts ChartSchool, "Relative Rotation Graphs (RRG Charts)".
    """
    check_frame(prices, "prices")
    if not isinstance(benchmark, pd.Series):
        raise TypeError(
            "benchmark must be a pandas Series of prices "
            f"(got {type(benchmark).__name__})."
        )
    window = check_window(window, minimum=2)
    momentum_window = check_window(momentum_window, "momentum_window")
    if variant not in ("zscore", "ema_ratio"):
        raise ValueError(f"variant must be 'zscore' or 'ema_ratio' (got {variant!r}).")
    if frequency not in ("daily", "weekly"):
        raise ValueError(f"frequency must be 'daily' or 'weekly' (got {frequency!r}).")
    assets = prices.astype("float64")
    bench = benchmark.astype("float64").reindex(assets.index)
    if frequency == "weekly":
        both = to_weekly(pd.concat([assets, bench.rename("__benchmark__")], axis=1))
        bench = both.pop("__benchmark__")
        assets = both
    relative_strength = assets.mul(100.0).div(bench, axis=0)

    def ratio_line(rs: pd.DataFrame) -> pd.DataFrame:
        if variant == "zscore":
            return 100.0 + _zscore(rs, window)
        fast = rs.ewm(span=momentum_window, adjust=False, min_periods=momentum_window)
        slow = rs.ewm(span=window, adjust=False, min_periods=window)
        return 100.0 * fast.mean() / slow.mean()

    def momentum_line(ratio: pd.DataFrame) -> pd.DataFrame:
        if variant == "zscore":
            roc = ratio / ratio.shift(momentum_window) - 1.0
            return 100.0 + _zscore(roc, window)
        return 100.0 * ratio / ratio.shift(momentum_window)

    rs_ratio = per_column_observations(relative_strength, ratio_line)
    rs_momentum = per_column_observations(rs_ratio, momentum_line)
    return RRG(
        rs_ratio=rs_ratio,
        rs_momentum=rs_momentum,
        relative_strength=relative_strength,
        window=window,
        momentum_window=momentum_window,
        variant=variant,
        frequency=frequency,
    )
