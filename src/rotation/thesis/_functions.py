"""The whitelist of the metric language: functions, builtin names, checks.

A tree from :func:`~rotation.thesis.parse_expression` is checked here before
anything runs: every call must name a whitelisted function with the right
number and kind of arguments, and every name must resolve to a builtin, a
basket, a price symbol, a series id or a caller-supplied series.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

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
)
from rotation.thesis._errors import ExpressionError
from rotation.thesis._windows import parse_period

__all__ = [
    "BUILTIN_NAMES",
    "FUNCTIONS",
    "UNIVERSE",
    "Param",
    "References",
    "Signature",
    "check_expression",
    "is_window_literal",
    "nearest",
]

#: Daily point-in-time rates/inflation metrics (columns of
#: :func:`rotation.indicators.rates_path`), with their aliases.
BUILTIN_NAMES: dict[str, str] = {
    "fed_mid": "fed_mid",
    "fed_funds_mid": "fed_mid",
    "dots_current_year": "dots_current_year",
    "dots_terminal": "dots_terminal",
    "fed_mid_minus_dots_current": "fed_mid_minus_dots_current",
    "fed_mid_minus_terminal": "fed_mid_minus_terminal",
    "median_path_change": "median_path_change",
    "cpi_yoy_gap": "cpi_yoy_gap",
    "core_pce_yoy_gap": "core_pce_yoy_gap",
    "dgs2_minus_mid": "dgs2_minus_mid",
}

#: Largest window / lag accepted, in sessions (about 40 years).
MAX_WINDOW = 10_000
_HORIZON_WORDS = ("terminal", "current", "longer_run")
#: The name of the thesis's ``universe`` members where a basket is expected.
UNIVERSE = "universe"


@dataclass(frozen=True)
class Param:
    """One argument of a whitelisted function.

    ``kind`` is one of ``"expr"`` (any numeric expression), ``"asset"``
    (basket or symbol), ``"basket"`` (a basket or ``universe``),
    ``"series"`` (series id), ``"operand"`` (asset, basket or series),
    ``"valuation"`` (basket or symbol, needing fundamentals, not prices),
    ``"window"`` (whole number 1..10,000 of sessions or a calendar window
    such as ``3m``), ``"lag"`` (as window, 0 allowed), ``"sessions"`` and
    ``"skip"`` (whole numbers of sessions, 1.. and 0..), ``"count"``
    (whole number 1..10,000), ``"horizon"`` (a year or ``"terminal"``,
    ``"current"``, ``"longer_run"``) or ``"string"``. ``default`` (text)
    makes it optional.
    """

    name: str
    kind: str
    default: str | None = None


@dataclass(frozen=True)
class Signature:
    """Arguments of one whitelisted function and what it computes."""

    params: tuple[Param, ...]
    doc: str = ""

    @property
    def n_required(self) -> int:
        """Number of arguments without a default."""
        return sum(p.default is None for p in self.params)

    def usage(self, name: str) -> str:
        """Return the call pattern, e.g. ``momentum(asset, window, skip=0)``."""
        parts = [
            p.name if p.default is None else f"{p.name}={p.default}"
            for p in self.params
        ]
        return f"{name}({', '.join(parts)})"


def _sig(doc: str, *params: tuple[str, str] | tuple[str, str, str]) -> Signature:
    return Signature(tuple(Param(*p) for p in params), doc=doc)


_A, _B, _X, _W = (
    ("asset", "asset"),
    ("basket", "basket"),
    ("x", "expr"),
    (
        "window",
        "window",
    ),
)
FUNCTIONS: dict[str, Signature] = {
    "avg_corr": _sig("average pairwise correlation of daily returns", _B, _W),
    "dispersion": _sig("cross-sectional dispersion of window returns", _B, _W),
    "rel_return": _sig(
        "(1+R_a)/(1+R_b) - 1 over the window", ("a", "asset"), ("b", "asset"), _W
    ),
    "momentum": _sig("P[t-skip]/P[t-skip-w] - 1", _A, _W, ("skip", "skip", "0")),
    "trend": _sig(
        "moving-average slope MA_t/MA_(t-s) - 1",
        _A,
        _W,
        ("slope_window", "sessions", "21"),
    ),
    "ma_dist": _sig("P_t/MA_t - 1", _A, _W),
    "drawdown": _sig("P_t / max(P) - 1", _A, ("window", "window", "all")),
    "zscore": _sig("rolling z-score", _X, _W),
    "yoy": _sig(
        "% change vs periods observations earlier",
        ("series", "series"),
        ("periods", "sessions", "12"),
    ),
    "value": _sig("value known at each close", ("series", "series")),
    "price": _sig("price (basket index for a basket)", _A),
    "dots_median": _sig("FOMC dot-plot median", ("horizon", "horizon")),
    "ratio": _sig("a / b", ("a", "expr"), ("b", "expr")),
    "lag": _sig("value k sessions (or a calendar window) earlier", _X, ("k", "lag")),
    "change": _sig("x[t] - x[a(t)]", _X, _W),
    "abs": _sig("absolute value", _X),
    "min": _sig(
        "elementwise min(a, b), or min(x, window) over time",
        ("a", "expr"),
        ("b_or_window", "expr"),
    ),
    "max": _sig(
        "elementwise max(a, b), or max(x, window) over time",
        ("a", "expr"),
        ("b_or_window", "expr"),
    ),
    "mean": _sig("mean over the window", _X, _W),
    "pctile": _sig("share of the window at or below today's value, (0, 1]", _X, _W),
    "corr": _sig(
        "correlation of daily returns (assets) / daily changes (series)",
        ("a", "operand"),
        ("b", "operand"),
        _W,
    ),
    "rank": _sig(
        "rank of x's window return among the members' (1 = best)",
        ("x", "asset"),
        ("basket_or_universe", "basket"),
        _W,
    ),
    "top": _sig(
        "1 if x's window return is among the k best of the members",
        ("x", "asset"),
        ("k", "count"),
        ("basket_or_universe", "basket"),
        _W,
    ),
    "breadth": _sig(
        "share of members above their ma-session average", _B, ("ma", "window")
    ),
    "fwd_pe": _sig("cap-weighted harmonic forward P/E", ("basket", "valuation")),
    "trailing_pe": _sig("cap-weighted harmonic trailing P/E", ("basket", "valuation")),
    "regime_prob": _sig("regime probability (provider)", ("name", "string")),
}
#: Functions that read a whole-number second argument as a window.
ROLLING_OVERLOADS = ("min", "max")


def is_window_literal(node: Expr) -> bool:
    """Whether ``node`` reads as a window in ``min(x, w)`` / ``max(x, w)``.

    A calendar window, or a whole number of at least 2: ``min(x, 63)`` is the
    63-session minimum, ``min(x, 0)`` and ``min(a, b)`` are elementwise.
    """
    if isinstance(node, Period):
        return True
    return isinstance(node, Number) and node.value.is_integer() and node.value >= 2


@dataclass(frozen=True)
class References:
    """What an expression refers to, by kind."""

    baskets: frozenset[str] = field(default_factory=frozenset)
    symbols: frozenset[str] = field(default_factory=frozenset)
    series: frozenset[str] = field(default_factory=frozenset)
    builtins: frozenset[str] = field(default_factory=frozenset)
    extras: frozenset[str] = field(default_factory=frozenset)
    unresolved: frozenset[str] = field(default_factory=frozenset)
    valuation: frozenset[str] = field(default_factory=frozenset)


def _allowed_list(names: Collection[str], limit: int = 80) -> str:
    ordered = sorted(names)
    text = ", ".join(ordered[:limit])
    if len(ordered) > limit:
        text += f", ... ({len(ordered) - limit} more)"
    return text


def nearest(name: str, candidates: Collection[str], n: int = 3) -> list[str]:
    """Return the known names closest to ``name`` (difflib, case-insensitive)."""
    lower: dict[str, str] = {}
    for c in sorted(candidates):
        lower.setdefault(c.lower(), c)
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.6)
    return [lower[h] for h in hits]


class _Checker:
    def __init__(
        self,
        text: str,
        baskets: Collection[str],
        symbols: Collection[str] | None,
        series: Collection[str] | None,
        extras: Collection[str],
    ) -> None:
        self.text = text
        self.baskets = set(baskets)
        self.symbols = None if symbols is None else set(symbols)
        self.series = None if series is None else set(series)
        self.extras = set(extras)
        self.found: dict[str, set[str]] = {
            k: set()
            for k in (
                "baskets",
                "symbols",
                "series",
                "builtins",
                "extras",
                "unresolved",
                "valuation",
            )
        }

    def fail(self, message: str, node: Expr, allowed: Collection[str] = ()) -> None:
        raise ExpressionError(
            message, expression=self.text, offset=node.offset, allowed=sorted(allowed)
        )

    def kind_of(self, key: str) -> str:
        """Say what ``key`` is, in words ("" when unknown)."""
        if key in FUNCTIONS:
            return "a function"
        if key in BUILTIN_NAMES:
            return "a builtin series"
        if key in self.baskets:
            return "a basket"
        if key in self.extras:
            return "a supplied series"
        if self.series is not None and key in self.series:
            return "a series"
        if self.symbols is not None and key in self.symbols:
            return "a price symbol"
        return ""

    def unknown(
        self,
        key: str,
        node: Expr,
        what: str,
        candidates: Collection[str],
        note: str = "",
    ) -> None:
        """Fail on an unknown or wrong-kind name, with the nearest known names."""
        found = self.kind_of(key)
        if found:
            message = f"{key!r} is {found}, not {what}"
            if found in ("a series", "a builtin series", "a supplied series"):
                message += f"; read a series as value({key}) or use it bare"
            elif found == "a function":
                message += f"; call it as {FUNCTIONS[key].usage(key)}"
        else:
            message = f"unknown {what} {key!r}{note}"
        close = nearest(key, candidates)
        if close:
            message += "; nearest: " + ", ".join(
                f"{c} ({self.kind_of(c)[2:] if self.kind_of(c) else 'name'})"
                for c in close
            )
        elif candidates and len(candidates) <= 12:
            message += f"; allowed: {_allowed_list(candidates)}"
        else:
            message += f"; {len(candidates)} known (none close)"
        self.fail(message, node, candidates)

    def name_kinds(self) -> set[str]:
        names = set(BUILTIN_NAMES) | self.baskets | self.extras
        names |= self.symbols or set()
        names |= self.series or set()
        return names

    def resolve_name(self, node: Name) -> None:
        nid = node.id
        if nid in FUNCTIONS:
            self.fail(
                f"{nid!r} is a function; call it as {FUNCTIONS[nid].usage(nid)}", node
            )
        if nid in BUILTIN_NAMES:
            self.found["builtins"].add(BUILTIN_NAMES[nid])
        elif nid in self.baskets:
            self.found["baskets"].add(nid)
        elif nid in self.extras:
            self.found["extras"].add(nid)
        elif self.series is not None and nid in self.series:
            self.found["series"].add(nid)
        elif self.symbols is not None and nid in self.symbols:
            self.found["symbols"].add(nid)
        elif self.symbols is None or self.series is None:
            self.found["unresolved"].add(nid)
        else:
            self.unknown(
                nid,
                node,
                "name",
                self.name_kinds(),
                " (not a builtin, basket, symbol, series id or supplied series)",
            )

    def asset(self, node: Expr, kind: str) -> None:
        basket_only = kind == "basket"
        what = "a basket" if basket_only else "a basket or symbol"
        if not isinstance(node, String | Name):
            self.fail(f"expected {what} name here", node)
            return
        key = node.value if isinstance(node, String) else node.id
        if key in self.baskets:
            self.found["valuation" if kind == "valuation" else "baskets"].add(key)
            return
        if not basket_only:
            if kind == "valuation":
                # A symbol needs fundamentals, not prices: checked on evaluation.
                self.found["valuation"].add(key)
                return
            if self.symbols is None and self.kind_of(key) == "":
                self.found["unresolved"].add(key)
                return
            if self.symbols is not None and key in self.symbols:
                self.found["symbols"].add(key)
                return
        candidates = self.baskets | (set() if basket_only else (self.symbols or set()))
        self.unknown(
            key, node, "basket" if basket_only else "basket or symbol", candidates
        )

    def operand(self, node: Expr) -> None:
        if not isinstance(node, String | Name):
            self.fail("expected an asset, basket or series name here", node)
            return
        key = node.value if isinstance(node, String) else node.id
        if key in self.baskets or (self.symbols is not None and key in self.symbols):
            self.asset(node, "asset")
        elif self.series is not None and key in self.series:
            self.found["series"].add(key)
        elif key in BUILTIN_NAMES or key in self.extras:
            self.resolve_name(Name(key, offset=node.offset))
        elif self.symbols is None or self.series is None:
            self.found["unresolved"].add(key)
        else:
            candidates = self.baskets | self.symbols | self.series
            self.unknown(key, node, "asset, basket or series", candidates)

    def series_arg(self, node: Expr) -> None:
        if not isinstance(node, String | Name):
            self.fail("expected a series id here", node)
            return
        key = node.value if isinstance(node, String) else node.id
        if self.series is None:
            self.found["unresolved"].add(key)
        elif key in self.series:
            self.found["series"].add(key)
        else:
            self.unknown(key, node, "series", self.series)

    def integer(self, node: Expr, low: int, what: str, *, period: bool) -> None:
        if period and isinstance(node, Period):
            try:
                parse_period(node.value)
            except ValueError as exc:
                self.fail(f"{what}: {exc}", node)
            return
        value: float | None = None
        if isinstance(node, Number):
            value = node.value
        elif (
            isinstance(node, Unary)
            and node.op == "-"
            and isinstance(node.operand, Number)
        ):
            value = -node.operand.value
        also = " or a calendar window (3m, 6m, 1y, ytd, qtd)" if period else ""
        if value is None or not value.is_integer():
            self.fail(f"{what} must be a whole number of sessions{also}", node)
            return
        if not low <= value <= MAX_WINDOW:
            self.fail(
                f"{what} must be between {low} and {MAX_WINDOW} "
                f"(got {_fmt(value)}){also}",
                node,
            )

    def horizon(self, node: Expr) -> None:
        if isinstance(node, String):
            if node.value not in _HORIZON_WORDS:
                self.fail(
                    f"unknown dot-plot horizon {node.value!r}; allowed: "
                    f"{', '.join(_HORIZON_WORDS)} or a year such as 2026",
                    node,
                    (*_HORIZON_WORDS, "a year such as 2026"),
                )
            return
        if isinstance(node, Number) and node.value.is_integer():
            if not 2000 <= node.value <= 2100:
                self.fail(
                    f"dot-plot year must be between 2000 and 2100 "
                    f"(got {_fmt(node.value)})",
                    node,
                )
            return
        self.fail(
            "dot-plot horizon must be a year or one of "
            f"{', '.join(repr(w) for w in _HORIZON_WORDS)}",
            node,
        )

    def check(self, node: Expr) -> None:
        if isinstance(node, Number):
            return
        if isinstance(node, Period):
            self.fail(
                f"a calendar window ({node.value}) is only allowed as a window "
                "argument, e.g. momentum(SPY, 3m)",
                node,
            )
        if isinstance(node, String):
            self.fail("string literals are only allowed as function arguments", node)
        if isinstance(node, Name):
            self.resolve_name(node)
            return
        if isinstance(node, Unary):
            self.check(node.operand)
            return
        if isinstance(node, Binary | Compare | Logical):
            self.check(node.left)
            self.check(node.right)
            return
        assert isinstance(node, Call)
        self.call(node)

    def call(self, node: Call) -> None:
        sig = FUNCTIONS.get(node.func)
        if sig is None:
            close = nearest(node.func, FUNCTIONS)
            hint = (
                "; nearest: " + ", ".join(FUNCTIONS[c].usage(c) for c in close)
                if close
                else ""
            )
            self.fail(
                f"unknown function {node.func!r}{hint}; allowed: "
                f"{', '.join(sorted(FUNCTIONS))}",
                node,
                [s.usage(f) for f, s in FUNCTIONS.items()],
            )
            return
        n = len(node.args)
        if not sig.n_required <= n <= len(sig.params):
            self.fail(
                f"{node.func} takes {sig.usage(node.func)}; got {n} argument(s)", node
            )
        for param, arg in zip(sig.params[:n], node.args, strict=True):
            self.argument(node, param, arg)

    def argument(self, node: Call, param: Param, arg: Expr) -> None:
        kind, where = param.kind, f"{param.name} of {node.func}"
        if node.func in ROLLING_OVERLOADS and param.name == "b_or_window":
            if is_window_literal(arg):
                self.integer(arg, 1, f"window of {node.func}", period=True)
            else:
                self.check(arg)
        elif kind == "expr":
            self.check(arg)
        elif kind in ("asset", "basket", "valuation"):
            self.asset(arg, kind)
        elif kind == "operand":
            self.operand(arg)
        elif kind == "series":
            self.series_arg(arg)
        elif kind in ("window", "lag", "sessions", "skip", "count"):
            low = 0 if kind in ("lag", "skip") else 1
            self.integer(arg, low, where, period=kind in ("window", "lag"))
        elif kind == "horizon":
            self.horizon(arg)
        elif kind == "string":
            if not isinstance(arg, String):
                self.fail(
                    f'{node.func} takes a quoted name, e.g. {node.func}("rotation")',
                    arg,
                )
            else:
                self.found["extras"].add(f"{node.func}:{arg.value}")


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def check_expression(
    node: Expr,
    *,
    text: str = "",
    baskets: Collection[str] | Mapping[str, object] = (),
    symbols: Collection[str] | None = None,
    series: Collection[str] | None = None,
    extras: Collection[str] = (),
) -> References:
    """Check a parsed expression against the whitelist and the known names.

    Parameters
    ----------
    node : Expr
        Parsed expression.
    text : str, optional
        The source text, used to point at the problem in error messages.
    baskets : collection of str
        Basket names defined by the thesis.
    symbols, series : collection of str, optional
        Price symbols and series ids available. ``None`` defers the check of
        names that are not builtins or baskets (they are returned as
        ``unresolved``), which is what loading a thesis without data does.
    extras : collection of str, optional
        Names of caller-supplied daily series usable as bare names.

    Returns
    -------
    refs : References
        Everything the expression refers to.

    Raises
    ------
    ExpressionError
        On an unknown function or name, a wrong argument count or kind, or a
        window out of range; for a name, the message says what the name is
        (series, symbol, basket) when it is known as another kind and gives
        the nearest known names (difflib); ``allowed`` lists them all.
    """
    checker = _Checker(text, baskets, symbols, series, extras)
    checker.check(node)
    return References(**{k: frozenset(v) for k, v in checker.found.items()})
