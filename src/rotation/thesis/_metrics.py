"""Daily values of metric expressions on a :class:`~rotation.market.MarketData`.

Every function of the language maps onto a :mod:`rotation.indicators`
function; this module only resolves names, aligns calendars and combines the
results. Values are causal: the value at session t uses data known at its
close.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rotation import indicators as ind
from rotation._typing import FloatArray
from rotation.market import MarketData, known_on
from rotation.thesis._ast import (
    Binary,
    Call,
    Compare,
    Expr,
    Name,
    Number,
    String,
    Unary,
)
from rotation.thesis._errors import ExpressionError
from rotation.thesis._functions import BUILTIN_NAMES, References, check_expression
from rotation.thesis._parser import unparse
from rotation.thesis._spec import Basket

__all__ = ["CARRY_LIMIT", "MetricEngine"]

#: Most sessions a price-based metric is carried across rows where its assets
#: did not trade (the panel holds futures and holiday rows of other markets).
CARRY_LIMIT = 5

_Asset = tuple[pd.DataFrame, Mapping[str, float] | None]


class MetricEngine:
    """Evaluate metric expressions as daily arrays on one market view.

    Parameters
    ----------
    market : MarketData
        The point-in-time data; values are computed on ``market.sessions``.
    baskets : mapping of str to Basket
        Baskets the expressions may name.
    extra : mapping of str to Series, optional
        Caller-supplied daily series, e.g. ``{"regime_prob:rotation": p}``
        for ``regime_prob("rotation")``, or any name usable as a bare name.
        Reindexed onto the sessions (no fill).

    Notes
    -----
    NaN handling: a price-based metric is computed on the rows where its
    assets have prices, then carried forward across at most
    :data:`CARRY_LIMIT` rows where they had none (another market's session);
    beyond that it is NaN. Arithmetic propagates NaN; division by zero gives
    NaN. Results are cached per sub-expression.
    """

    def __init__(
        self,
        market: MarketData,
        baskets: Mapping[str, Basket],
        extra: Mapping[str, pd.Series] | None = None,
    ) -> None:
        self.market = market
        self.baskets = dict(baskets)
        self.index = market.sessions
        self.extra = {
            key: pd.Series(value, dtype="float64").reindex(self.index)
            for key, value in (extra or {}).items()
        }
        self.missing: dict[Expr, str] = {}
        self._cache: dict[Expr, FloatArray] = {}
        self._rates: pd.DataFrame | None = None
        self._medians: pd.DataFrame | None = None
        self._prices = market.prices

    # -- checks ------------------------------------------------------------
    def check(self, node: Expr, text: str = "") -> References:
        """Check names and basket members against this market.

        Raises
        ------
        ExpressionError
            Naming the unknown symbol, series or basket member and listing the
            allowed names.
        """
        refs = check_expression(
            node,
            text=text or unparse(node),
            baskets=self.baskets,
            symbols=list(self._prices.columns),
            series=list(self.market.series),
            extras=[k for k in self.extra if ":" not in k],
        )
        for name in refs.baskets:
            unknown = [
                m for m in self.baskets[name].members if m not in self._prices.columns
            ]
            if unknown:
                raise ExpressionError(
                    f"basket {name!r} has member(s) {unknown} with no prices; "
                    f"allowed symbols: {', '.join(sorted(self._prices.columns))}",
                    allowed=sorted(self._prices.columns),
                )
        return refs

    # -- resolution --------------------------------------------------------
    def _asset(self, node: Expr) -> _Asset:
        key = node.value if isinstance(node, String) else node.id  # type: ignore[union-attr]
        if key in self.baskets:
            basket = self.baskets[key]
            return self._prices[list(basket.members)], basket.weight_map()
        return self._prices[[key]], None

    def _carry(
        self, values: pd.Series | pd.DataFrame, observed: np.ndarray
    ) -> FloatArray:
        """Values computed on observed rows, carried over a few unobserved rows."""
        series = pd.Series(
            np.asarray(values, dtype="float64").reshape(-1), index=self.index[observed]
        )
        full = series.reindex(self.index)
        # Carry only across rows where the assets were not priced; a NaN the
        # indicator itself produced on an observed row stays NaN.
        carried = full.ffill(limit=CARRY_LIMIT)
        out = np.where(observed, full.to_numpy(), carried.to_numpy())
        return np.asarray(out, dtype="float64")

    @staticmethod
    def _observed(frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(frame.notna().any(axis=1).to_numpy(), dtype=bool)

    def _asset_index(self, node: Expr) -> tuple[pd.Series, np.ndarray]:
        frame, weights = self._asset(node)
        seen = self._observed(frame)
        rows = frame[seen]
        if rows.shape[1] == 1 and weights is None:
            return rows.iloc[:, 0].astype("float64"), seen
        return ind.basket_index(rows, weights), seen

    def rates(self) -> pd.DataFrame:
        """Return the daily point-in-time rates path (computed once)."""
        if self._rates is None:
            self._rates = ind.rates_path(self.market)
        return self._rates

    def _dots(self, node: Expr, horizon: str) -> FloatArray:
        if horizon == "terminal":
            return self._builtin(node, "dots_terminal")
        if horizon == "current":
            return self._builtin(node, "dots_current_year")
        if self._medians is None:
            self._medians = ind.dot_plot_medians(self.market.dots)
        medians = self._medians
        out = np.full(len(self.index), np.nan)
        if horizon not in medians.columns or medians.empty:
            return out
        # The SEP counts from its meeting date (released before the close).
        pos = medians.index.searchsorted(self.index, side="right") - 1
        column = medians[horizon].to_numpy(dtype="float64")
        valid = pos >= 0
        out[valid] = column[pos[valid]]
        return out

    def _yoy(self, series_id: str, periods: int) -> FloatArray:
        obs = self.market.series[series_id].sort_index()
        first = obs.sort_values("known_from").groupby(level=0).head(1).sort_index()
        yoy = ind.year_over_year(first["value"], periods)
        # A change is known once both of its observations are.
        known = pd.concat(
            [first["known_from"], first["known_from"].shift(periods)], axis=1
        ).max(axis=1)
        frame = pd.DataFrame({"value": yoy, "known_from": known})
        return known_on(frame, self.index).to_numpy(dtype="float64")

    # -- evaluation --------------------------------------------------------
    def values(self, node: Expr) -> FloatArray:
        """Daily values of ``node`` on the sessions (cached)."""
        cached = self._cache.get(node)
        if cached is None:
            cached = self._compute(node)
            cached.setflags(write=False)
            self._cache[node] = cached
        return cached

    def _compute(self, node: Expr) -> FloatArray:
        n = len(self.index)
        if isinstance(node, Number):
            return np.full(n, node.value)
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Unary):
            return -self.values(node.operand)
        if isinstance(node, Binary):
            a, b = self.values(node.left), self.values(node.right)
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            return _divide(a, b)
        if isinstance(node, Compare):
            return _compare(node.op, self.values(node.left), self.values(node.right))
        if isinstance(node, Call):
            return self._call(node)
        raise ExpressionError(f"cannot evaluate {unparse(node)!r} on its own")

    def _name(self, node: Name) -> FloatArray:
        nid = node.id
        # Same precedence as check_expression: builtin, basket, supplied
        # series, series id, price symbol.
        if nid in BUILTIN_NAMES:
            return self._builtin(node, BUILTIN_NAMES[nid])
        if nid in self.baskets:
            level, seen = self._asset_index(node)
            return self._carry(level, seen)
        if nid in self.extra:
            return self.extra[nid].to_numpy(dtype="float64")
        if nid in self.market.series:
            return self.market.known(nid, self.index).to_numpy(dtype="float64")
        level, seen = self._asset_index(node)
        return self._carry(level, seen)

    def _builtin(self, node: Expr, column: str) -> FloatArray:
        try:
            return self.rates()[column].to_numpy(dtype="float64")
        except KeyError as exc:
            # rates_path needs DFEDTARU, DFEDTARL, DGS2, CPIAUCSL, PCEPILFE.
            self.missing[node] = f"{column} needs a series that is not loaded ({exc})"
            return np.full(len(self.index), np.nan)

    def _call(self, node: Call) -> FloatArray:
        f, args = node.func, node.args

        def window(k: int) -> int:
            arg = args[k]
            assert isinstance(arg, Number)
            return int(arg.value)

        if f in ("avg_corr", "dispersion"):
            frame, weights = self._asset(args[0])
            seen = self._observed(frame)
            # The one path of rotation.indicators: the correlation part of the
            # analysis shows the very same numbers.
            if f == "avg_corr":
                out = ind.basket_average_correlation(frame, window(1), weights=weights)
            else:
                out = ind.basket_dispersion(frame, window(1))
            return self._carry(out[seen], seen)
        if f == "rel_return":
            fa, wa = self._asset(args[0])
            fb, wb = self._asset(args[1])
            seen = self._observed(fa) & self._observed(fb)
            out = ind.relative_return(
                fa[seen], fb[seen], window(2), weights_a=wa, weights_b=wb
            )
            return self._carry(out, seen)
        if f in ("momentum", "trend", "ma_dist", "drawdown", "price"):
            level, seen = self._asset_index(args[0])
            if f == "price":
                out = level
            elif f == "momentum":
                out = ind.momentum(
                    level, window(1), skip=window(2) if len(args) > 2 else 0
                )
            elif f == "trend":
                slope = window(2) if len(args) > 2 else 21
                out = ind.moving_average_slope(level, window(1), slope_window=slope)
            elif f == "ma_dist":
                out = ind.distance_from_moving_average(level, window(1))
            else:
                out = ind.drawdown_from_high(
                    level, window(1) if len(args) > 1 else None
                )
            return self._carry(out, seen)
        if f == "zscore":
            values = pd.Series(self.values(args[0]), index=self.index)
            return ind.rolling_zscore(values, window(1)).to_numpy(dtype="float64")
        if f in ("value", "yoy"):
            arg = args[0]
            sid = arg.value if isinstance(arg, String) else arg.id  # type: ignore[union-attr]
            if f == "value":
                return self.market.known(sid, self.index).to_numpy(dtype="float64")
            return self._yoy(sid, window(1) if len(args) > 1 else 12)
        if f == "dots_median":
            arg = args[0]
            if isinstance(arg, String):
                return self._dots(node, arg.value)
            assert isinstance(arg, Number)
            return self._dots(node, str(int(arg.value)))
        if f == "ratio":
            return _divide(self.values(args[0]), self.values(args[1]))
        if f in ("lag", "change"):
            base = self.values(args[0])
            shifted = _shift(base, window(1))
            return shifted if f == "lag" else base - shifted
        if f == "abs":
            return np.abs(self.values(args[0]))
        if f in ("min", "max"):
            a, b = self.values(args[0]), self.values(args[1])
            return np.minimum(a, b) if f == "min" else np.maximum(a, b)
        if f == "regime_prob":
            arg = args[0]
            assert isinstance(arg, String)
            key = f"regime_prob:{arg.value}"
            if key in self.extra:
                return self.extra[key].to_numpy(dtype="float64")
            self.missing[node] = (
                f"regime probability {arg.value!r} was not supplied; pass "
                f"extra={{{key!r}: series}} (e.g. from "
                "rotation.regimes.regime_probability_series)"
            )
            return np.full(len(self.index), np.nan)
        raise ExpressionError(f"unknown function {f!r}")

    # -- explanations ------------------------------------------------------
    def explain(self, node: Expr, position: int) -> str:
        """Say why ``node`` has no value at ``position`` (its NaN's origin)."""
        origins: list[Expr] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if not np.isnan(self.values(current)[position]):
                continue
            children = _expr_children(current)
            nan_children = [c for c in children if np.isnan(self.values(c)[position])]
            if nan_children:
                stack.extend(nan_children)
            else:
                origins.append(current)
        if not origins:
            return ""
        date = self.index[position].date()
        parts = []
        for origin in origins[:3]:
            if origin in self.missing:
                parts.append(self.missing[origin])
                continue
            values = self.values(origin)[: position + 1]
            valid = np.flatnonzero(~np.isnan(values))
            text = unparse(origin)
            if valid.size == 0:
                parts.append(f"{text} has no value known by {date}")
            else:
                last = self.index[valid[-1]].date()
                parts.append(f"{text} has no value on {date} (last value {last})")
        return "; ".join(parts)


def _expr_children(node: Expr) -> list[Expr]:
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary | Compare):
        return [node.left, node.right]
    if isinstance(node, Call) and node.func in (
        "zscore",
        "ratio",
        "lag",
        "change",
        "abs",
        "min",
        "max",
    ):
        return [
            a
            for a in node.args
            if not isinstance(a, String | Number)
            or node.func in ("ratio", "min", "max", "abs")
        ]
    return []


def _divide(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b == 0.0, np.nan, a / np.where(b == 0.0, 1.0, b))
    return np.asarray(out, dtype="float64")


def _compare(op: str, a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        if op == "<":
            result = a < b
        elif op == "<=":
            result = a <= b
        elif op == ">":
            result = a > b
        elif op == ">=":
            result = a >= b
        elif op == "==":
            result = a == b
        else:
            result = a != b
    out = result.astype("float64")
    out[np.isnan(a) | np.isnan(b)] = np.nan
    return out


def _shift(values: FloatArray, periods: int) -> FloatArray:
    out = np.full_like(values, np.nan)
    if periods == 0:
        return values.copy()
    if periods < len(values):
        out[periods:] = values[:-periods]
    return out
