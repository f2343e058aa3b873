"""Daily values of metric expressions on a :class:`~rotation.market.MarketData`.

Every function of the language maps onto a :mod:`rotation.indicators`
function; this module only resolves names, aligns calendars and combines the
results. Values are causal: the value at session t uses data known at its
close.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
    Logical,
    Name,
    Number,
    Period,
    String,
    Unary,
    walk,
)
from rotation.thesis._errors import ExpressionError
from rotation.thesis._functions import (
    BUILTIN_NAMES,
    FUNCTIONS,
    References,
    check_expression,
    is_window_literal,
    nearest,
)
from rotation.thesis._fundamentals import (
    FIELD_FORWARD_PE,
    FIELD_TRAILING_PE,
    harmonic_pe,
)
from rotation.thesis._parser import unparse
from rotation.thesis._rolling import (
    rolling_corr,
    rolling_extreme,
    rolling_mean,
    rolling_pctile,
    value_at_anchor,
)
from rotation.thesis._spec import Basket
from rotation.thesis._windows import window_anchors

__all__ = ["CARRY_LIMIT", "MetricEngine"]

#: Most sessions a price-based metric is carried across rows where its assets
#: did not trade (the panel holds futures and holiday rows of other markets).
CARRY_LIMIT = 5

_Asset = tuple[pd.DataFrame, Mapping[str, float] | None]
_Window = int | str
#: Why a node has no value: a fixed text, or one that depends on the session.
Reason = str | Callable[[int], str]


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
        self.missing: dict[Expr, Reason] = {}
        self._cache: dict[Expr, FloatArray] = {}
        self._levels: dict[str, tuple[pd.Series, np.ndarray]] = {}
        self._anchor_cache: dict[tuple[_Window, int, int], np.ndarray] = {}
        self._returns: dict[tuple[str, _Window], FloatArray] = {}
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
        priced = set(refs.baskets) | self._priced_baskets(node)
        for name in sorted(priced):
            unknown = [m for m in self.leaves(name) if m not in self._prices.columns]
            if unknown:
                shown = ", ".join(unknown[:10]) + (
                    f", ... ({len(unknown) - 10} more)" if len(unknown) > 10 else ""
                )
                close = sorted(
                    {c for m in unknown[:10] for c in nearest(m, self._prices.columns)}
                )
                hint = (
                    f"; nearest symbols with prices: {', '.join(close)}"
                    if close
                    else ""
                )
                raise ExpressionError(
                    f"basket {name!r} has {len(unknown)} member(s) with no prices "
                    f"({shown}){hint}; {len(self._prices.columns)} symbols have "
                    "prices (fwd_pe and trailing_pe need no prices)",
                    allowed=sorted(self._prices.columns),
                )
        return refs

    def _priced_baskets(self, node: Expr) -> set[str]:
        """Baskets used for their prices (not only for fundamentals)."""
        valuation = {
            id(arg)
            for sub in walk(node)
            if isinstance(sub, Call) and sub.func in ("fwd_pe", "trailing_pe")
            for arg in sub.args
        }
        names: set[str] = set()
        for sub in walk(node):
            if id(sub) in valuation:
                continue
            key = _key(sub)
            if isinstance(sub, Name | String) and key in self.baskets:
                names.add(key)
        return names

    def leaves(self, name: str, _seen: tuple[str, ...] = ()) -> list[str]:
        """Price symbols under basket ``name``, through baskets of baskets."""
        out: list[str] = []
        for member in self.baskets[name].members:
            if member in self.baskets and member not in _seen:
                out += self.leaves(member, (*_seen, name))
            elif member not in out:
                out.append(member)
        return out

    # -- resolution --------------------------------------------------------
    def _member_level(self, member: str) -> pd.Series:
        """Return a member's price or basket index on every row (NaN if unpriced)."""
        if member in self.baskets:
            level, _ = self.level(member)
            return level.reindex(self.index)
        return self._prices[member]

    def _asset(self, node: Expr, *, minimum: bool = True) -> _Asset:
        key = _key(node)
        assert key is not None
        if key in self.baskets:
            basket = self.baskets[key]
            if not any(m in self.baskets for m in basket.members):
                frame = self._prices[list(basket.members)]
            else:
                # A basket of baskets: its members' indices act as prices.
                frame = pd.DataFrame(
                    {m: self._member_level(m) for m in basket.members},
                    index=self.index,
                )
            enough = (
                self._enough_members(key, frame)
                if minimum
                else np.ones(len(frame), dtype=bool)
            )
            if not enough.all():  # rows below the minimum have no value at all
                frame = frame.where(pd.Series(enough, index=frame.index), axis=0)
            return frame, basket.weight_map()
        return self._prices[[key]], None

    def level(self, key: str) -> tuple[pd.Series, np.ndarray]:
        """Price (or basket index) of ``key`` on its observed rows (cached)."""
        if key not in self._levels:
            self._levels[key] = self._asset_index(Name(key))
        return self._levels[key]

    def anchors(self, window: _Window, index: pd.Index) -> np.ndarray:
        """Anchor rows of ``window`` on ``index`` (cached per index)."""
        key = (
            window,
            hash(np.asarray(index, dtype="datetime64[ns]").tobytes()),
            len(index),
        )
        if key not in self._anchor_cache:
            self._anchor_cache[key] = window_anchors(window, pd.DatetimeIndex(index))
        return self._anchor_cache[key]

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
        key = _key(node)
        if key is not None and key in self._levels:
            return self._levels[key]
        frame, weights = self._asset(node)
        seen = self._observed(frame)
        rows = frame[seen]
        if rows.shape[1] == 1 and weights is None:
            return rows.iloc[:, 0].astype("float64"), seen
        if rows.empty:
            return pd.Series(dtype="float64"), seen
        return ind.basket_index(rows, weights), seen

    def _enough_members(self, key: str, frame: pd.DataFrame) -> np.ndarray:
        """Rows on which at least the basket's minimum of members has listed.

        A member counts from its first price on (a later gap does not drop
        it). Before that the basket has no value, and the reason names the
        members not yet priced: never a value from fewer members than the
        basket says.
        """
        minimum = self.baskets[key].minimum()
        listed = frame.notna().cummax()
        counts = listed.sum(axis=1).to_numpy()
        enough = counts >= minimum
        if not enough.all():
            self.missing[Name(key)] = _thin_basket_reason(
                key, listed, counts, minimum, self.index
            )
        return np.asarray(enough, dtype=bool)

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
            operand = self.values(node.operand)
            if node.op == "not":
                return np.where(np.isnan(operand), np.nan, (operand == 0.0) * 1.0)
            return -operand
        if isinstance(node, Logical):
            return _logical(node.op, self.values(node.left), self.values(node.right))
        if isinstance(node, Binary):
            a, b = self.values(node.left), self.values(node.right)
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            return self._divide(node, a, b)
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
        if f in _ASSET_FUNCTIONS:
            return self._asset_call(node)
        if f in _WINDOW_STATS or (f in ("min", "max") and is_window_literal(args[1])):
            return self._window_stat(node)
        if f in ("corr", "rank", "top", "breadth", "fwd_pe", "trailing_pe"):
            return self._cross_section(node)
        if f in ("value", "yoy"):
            sid = _key(args[0])
            assert sid is not None
            if f == "value":
                return self.market.known(sid, self.index).to_numpy(dtype="float64")
            return self._yoy(sid, _int(args[1]) if len(args) > 1 else 12)
        if f == "dots_median":
            arg = args[0]
            if isinstance(arg, String):
                return self._dots(node, arg.value)
            assert isinstance(arg, Number)
            return self._dots(node, str(int(arg.value)))
        if f == "ratio":
            return self._divide(node, self.values(args[0]), self.values(args[1]))
        if f in ("lag", "change"):
            base = self.values(args[0])
            window = _window(args[1])
            if isinstance(window, int):
                shifted = _shift(base, window)
            else:
                shifted = value_at_anchor(base, self.anchors(window, self.index))
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

    def _by_length(
        self, compute: Callable[[int], pd.Series], index: pd.Index, window: _Window
    ) -> pd.Series:
        """Evaluate a fixed-window indicator on a calendar window.

        Row t takes the indicator computed with window t - a(t), so each
        distinct window length is computed once (a ``3m`` window has about
        eight, ``ytd`` up to 253).
        """
        anchors = self.anchors(window, index)
        lengths = np.arange(len(index)) - anchors
        out = np.full(len(index), np.nan)
        for length in np.unique(lengths[anchors >= 0]):
            rows = (lengths == length) & (anchors >= 0)
            out[rows] = np.asarray(compute(int(length)), dtype="float64")[rows]
        return pd.Series(out, index=index)

    def _asset_call(self, node: Call) -> FloatArray:
        f, args = node.func, node.args
        window = _window(args[1]) if len(args) > 1 and f != "rel_return" else 0
        if f in ("avg_corr", "dispersion"):
            # their own member rule: a member counts once it has a full window
            # (the correlation part shows "k of n members" beside the value)
            frame, weights = self._asset(args[0], minimum=False)
            seen = self._observed(frame)

            def correlation(w: int) -> pd.Series:
                # The one path of rotation.indicators: the correlation part of
                # the analysis shows the very same numbers.
                if f == "avg_corr":
                    return ind.basket_average_correlation(frame, w, weights=weights)
                return ind.basket_dispersion(frame, w)

            if isinstance(window, int):
                out = correlation(window)[seen]
            else:
                out = self._by_length(
                    lambda w: correlation(w)[seen], self.index[seen], window
                )
            return self._carry(out, seen)
        if f == "rel_return":
            fa, wa = self._asset(args[0])
            fb, wb = self._asset(args[1])
            seen = self._observed(fa) & self._observed(fb)
            window = _window(args[2])
            if isinstance(window, int):
                out = ind.relative_return(
                    fa[seen], fb[seen], window, weights_a=wa, weights_b=wb
                )
                return self._carry(out, seen)
            la, lb = _index_of(fa[seen], wa), _index_of(fb[seen], wb)
            anchors = self.anchors(window, self.index[seen])
            ratio = la.to_numpy() / lb.to_numpy()
            rel = ratio / value_at_anchor(ratio, anchors) - 1.0
            return self._carry(pd.Series(rel, index=la.index), seen)
        level, seen = self._asset_index(args[0])
        if f == "price":
            return self._carry(level, seen)
        if f == "momentum":
            skip = _int(args[2]) if len(args) > 2 else 0
            if isinstance(window, int):
                out = ind.momentum(level, window, skip=skip)
            else:
                values = level.to_numpy(dtype="float64")
                anchors = self.anchors(window, level.index)
                ret = values / value_at_anchor(values, anchors) - 1.0
                out = pd.Series(_shift(ret, skip), index=level.index)
            return self._carry(out, seen)

        def indicator(w: int | None) -> pd.Series:
            if f == "trend":
                slope = _int(args[2]) if len(args) > 2 else 21
                assert w is not None
                return ind.moving_average_slope(level, w, slope_window=slope)
            if f == "ma_dist":
                assert w is not None
                return ind.distance_from_moving_average(level, w)
            return ind.drawdown_from_high(level, w)

        if f == "drawdown" and len(args) == 1:
            return self._carry(indicator(None), seen)
        if isinstance(window, int):
            return self._carry(indicator(window), seen)
        return self._carry(self._by_length(indicator, level.index, window), seen)

    def _window_stat(self, node: Call) -> FloatArray:
        f, args = node.func, node.args
        values = self.values(args[0])
        window = _window(args[1])
        if f == "zscore" and isinstance(window, int):
            series = pd.Series(values, index=self.index)
            return ind.rolling_zscore(series, window).to_numpy(dtype="float64")
        if f == "zscore":
            series = pd.Series(values, index=self.index)
            out = self._by_length(
                lambda w: ind.rolling_zscore(series, w), self.index, window
            )
            return out.to_numpy(dtype="float64")
        anchors = self.anchors(window, self.index)
        if f == "mean":
            return rolling_mean(values, anchors)
        if f == "pctile":
            return rolling_pctile(values, anchors)
        return rolling_extreme(values, anchors, largest=f == "max")

    def trailing_return(self, key: str, window: _Window) -> FloatArray:
        """Window return of asset ``key`` on every row (carried, cached)."""
        cache_key = (key, window)
        if cache_key not in self._returns:
            level, seen = self.level(key)
            values = level.to_numpy(dtype="float64")
            anchors = self.anchors(window, level.index)
            ret = pd.Series(
                values / value_at_anchor(values, anchors) - 1.0, index=level.index
            )
            self._returns[cache_key] = self._carry(ret, seen)
        return self._returns[cache_key]

    def _cross_section(self, node: Call) -> FloatArray:
        f, args = node.func, node.args
        if f in ("fwd_pe", "trailing_pe"):
            key = _key(args[0])
            assert key is not None
            members = self.leaves(key) if key in self.baskets else [key]
            field = FIELD_FORWARD_PE if f == "fwd_pe" else FIELD_TRAILING_PE
            table = getattr(self.market, "fundamentals", None)
            values, reason = harmonic_pe(table, members, field, self.index)
            self.missing[node] = reason
            return values
        if f == "corr":
            return self._corr(node)
        if f == "breadth":
            return self._breadth(node)
        # rank / top
        x = _key(args[0])
        group = _key(args[2] if f == "top" else args[1])
        window = _window(args[3] if f == "top" else args[2])
        assert x is not None and group is not None
        mine = self.trailing_return(x, window)
        better = np.zeros(len(self.index))
        for member in self.baskets[group].members:
            if member == x:
                continue
            other = self.trailing_return(member, window)
            with np.errstate(invalid="ignore"):
                better += np.where(np.isnan(other), 0.0, other > mine)
        rank = np.where(np.isnan(mine), np.nan, 1.0 + better)
        if f == "rank":
            return rank
        k = _int(args[1])
        return np.where(np.isnan(rank), np.nan, (rank <= k).astype("float64"))

    def _operand_changes(self, node: Expr, seen: np.ndarray) -> FloatArray:
        """Daily return of an asset, or daily change of a series, on ``seen`` rows."""
        key = _key(node)
        assert key is not None
        if key in self.baskets or key in self._prices.columns:
            frame, weights = self._asset(node)
            level = _index_of(frame[seen], weights).to_numpy(dtype="float64")
            return level / _shift(level, 1) - 1.0
        values = self.values(Name(key))[seen]
        return values - _shift(values, 1)

    def _is_asset(self, node: Expr) -> bool:
        key = _key(node)
        return key in self.baskets or key in self._prices.columns

    def _corr(self, node: Call) -> FloatArray:
        a, b = node.args[0], node.args[1]
        seen = np.ones(len(self.index), dtype=bool)
        for operand in (a, b):
            if self._is_asset(operand):
                seen &= self._observed(self._asset(operand)[0])
        ca, cb = self._operand_changes(a, seen), self._operand_changes(b, seen)
        anchors = self.anchors(_window(node.args[2]), self.index[seen])
        out = rolling_corr(ca, cb, anchors)
        return self._carry(pd.Series(out, index=self.index[seen]), seen)

    def _breadth(self, node: Call) -> FloatArray:
        group = _key(node.args[0])
        assert group is not None
        window = _window(node.args[1])
        above = np.zeros(len(self.index))
        counted = np.zeros(len(self.index))
        for member in self.baskets[group].members:
            level, seen = self.level(member)
            values = level.to_numpy(dtype="float64")
            average = rolling_mean(values, self.anchors(window, level.index))
            with np.errstate(invalid="ignore"):
                flag = np.where(np.isnan(average), np.nan, values > average)
            carried = self._carry(pd.Series(flag, index=level.index), seen)
            known = ~np.isnan(carried)
            above += np.where(known, carried, 0.0)
            counted += known
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                counted > 0, above / np.where(counted > 0, counted, 1), np.nan
            )

    def _divide(self, node: Expr, a: FloatArray, b: FloatArray) -> FloatArray:
        zero = b == 0.0
        if zero.any():
            divisor = unparse(node.args[1] if isinstance(node, Call) else node.right)  # type: ignore[union-attr]
            index = self.index

            def reason(position: int) -> str:
                if b[position] == 0.0:
                    return (
                        f"division by zero: {divisor} is 0 on {index[position].date()}"
                    )
                return ""

            self.missing[node] = reason
        return _divide(a, b)

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
            thin = [n for n in _expr_names(origin) if n in self.missing]
            if origin not in self.missing and thin:
                origin = thin[0]  # a basket below its member minimum
            if origin in self.missing:
                reason = self.missing[origin]
                text = reason(position) if callable(reason) else reason
                if text:
                    parts.append(text)
                    continue
            values = self.values(origin)[: position + 1]
            valid = np.flatnonzero(~np.isnan(values))
            text = unparse(origin)
            if valid.size == 0:
                parts.append(f"{text} has no value known by {date}")
            else:
                last = self.index[valid[-1]].date()
                parts.append(f"{text} has no value on {date} (last value {last})")
        return "; ".join(dict.fromkeys(parts))  # one reason once, in order


def _expr_names(node: Expr) -> list[Name]:
    """Name nodes inside ``node`` (asset arguments of calls included)."""
    return [n for n in walk(node) if isinstance(n, Name)]


def _thin_basket_reason(
    key: str,
    listed: pd.DataFrame,
    counts: np.ndarray,
    minimum: int,
    index: pd.Index,
) -> Callable[[int], str]:
    """Explain, for one row, why basket ``key`` has no value there."""

    def reason(position: int) -> str:
        if position >= len(counts) or counts[position] >= minimum:
            return ""
        row = listed.iloc[position]
        absent = [str(m) for m, ok in row.items() if not ok]
        return (
            f"basket {key}: {int(counts[position])} of {listed.shape[1]} members "
            f"priced by {pd.Timestamp(index[position]).date()}, below its minimum "
            f"of {minimum} (not yet priced: {', '.join(absent)})"
        )

    return reason


#: Functions of assets computed from prices (their arguments are names).
_ASSET_FUNCTIONS = frozenset(
    {
        "avg_corr",
        "dispersion",
        "rel_return",
        "momentum",
        "trend",
        "ma_dist",
        "drawdown",
        "price",
    }
)
#: Statistics of an expression over a window.
_WINDOW_STATS = frozenset({"zscore", "mean", "pctile"})


def _key(node: Expr) -> str | None:
    if isinstance(node, String):
        return node.value
    if isinstance(node, Name):
        return node.id
    return None


def _int(node: Expr) -> int:
    assert isinstance(node, Number)
    return int(node.value)


def _window(node: Expr) -> _Window:
    if isinstance(node, Period):
        return node.value
    return _int(node)


def _index_of(frame: pd.DataFrame, weights: Mapping[str, float] | None) -> pd.Series:
    if frame.shape[1] == 1 and weights is None:
        return frame.iloc[:, 0].astype("float64")
    return ind.basket_index(frame, weights)


def _expr_children(node: Expr) -> list[Expr]:
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary | Compare | Logical):
        return [node.left, node.right]
    if isinstance(node, Call) and node.func in FUNCTIONS:
        params = FUNCTIONS[node.func].params
        return [
            arg
            for param, arg in zip(params, node.args, strict=False)
            if param.kind == "expr" and not isinstance(arg, Number | Period)
        ]
    return []


def _logical(op: str, a: FloatArray, b: FloatArray) -> FloatArray:
    """Kleene ``and`` / ``or`` of truth values (non-zero = true, NaN = unknown)."""
    na, nb = np.isnan(a), np.isnan(b)
    ta, tb = (a != 0.0) & ~na, (b != 0.0) & ~nb
    fa, fb = (a == 0.0), (b == 0.0)
    if op == "and":
        out = np.where(fa | fb, 0.0, np.where(ta & tb, 1.0, np.nan))
    else:
        out = np.where(ta | tb, 1.0, np.where(fa & fb, 0.0, np.nan))
    return np.asarray(out, dtype="float64")


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
