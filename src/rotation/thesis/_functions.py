"""The whitelist of the metric language: functions, builtin names, checks.

A tree from :func:`~rotation.thesis.parse_expression` is checked here before
anything runs: every call must name a whitelisted function with the right
number and kind of arguments, and every name must resolve to a builtin, a
basket, a price symbol, a series id or a caller-supplied series.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

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

__all__ = [
    "BUILTIN_NAMES",
    "FUNCTIONS",
    "References",
    "Signature",
    "check_expression",
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


@dataclass(frozen=True)
class Signature:
    """Argument kinds of one whitelisted function.

    Kinds: ``"expr"`` (any numeric expression), ``"asset"`` (basket or symbol),
    ``"basket"``, ``"series"`` (series id), ``"window"`` (integer literal
    1..10,000), ``"lag"`` (integer literal 0..10,000), ``"horizon"`` (a year
    or ``"terminal"``/``"current"``/``"longer_run"``), ``"string"``.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    doc: str = ""

    def usage(self, name: str) -> str:
        """Return the call pattern, e.g. ``avg_corr(basket, window)``."""
        parts = list(self.required) + [f"[{k}]" for k in self.optional]
        return f"{name}({', '.join(parts)})"


FUNCTIONS: dict[str, Signature] = {
    "avg_corr": Signature(("basket", "window"), doc="average pairwise correlation"),
    "dispersion": Signature(("basket", "window"), doc="cross-sectional dispersion"),
    "rel_return": Signature(("asset", "asset", "window"), doc="relative return A/B"),
    "momentum": Signature(("asset", "window"), ("lag",), doc="P[t-skip]/P[t-skip-w]-1"),
    "trend": Signature(("asset", "window"), ("window",), doc="moving-average slope"),
    "ma_dist": Signature(("asset", "window"), doc="distance from moving average"),
    "drawdown": Signature(("asset",), ("window",), doc="drawdown from high"),
    "zscore": Signature(("expr", "window"), doc="rolling z-score"),
    "yoy": Signature(("series",), ("window",), doc="year-over-year % change"),
    "value": Signature(("series",), doc="value known at each close"),
    "price": Signature(("asset",), doc="price (basket index for a basket)"),
    "dots_median": Signature(("horizon",), doc="FOMC dot-plot median"),
    "ratio": Signature(("expr", "expr"), doc="a / b"),
    "lag": Signature(("expr", "lag"), doc="value n sessions earlier"),
    "change": Signature(("expr", "window"), doc="x[t] - x[t-n]"),
    "abs": Signature(("expr",), doc="absolute value"),
    "min": Signature(("expr", "expr"), doc="elementwise minimum"),
    "max": Signature(("expr", "expr"), doc="elementwise maximum"),
    "regime_prob": Signature(("string",), doc="regime probability (provider)"),
}


@dataclass(frozen=True)
class References:
    """What an expression refers to, by kind."""

    baskets: frozenset[str] = field(default_factory=frozenset)
    symbols: frozenset[str] = field(default_factory=frozenset)
    series: frozenset[str] = field(default_factory=frozenset)
    builtins: frozenset[str] = field(default_factory=frozenset)
    extras: frozenset[str] = field(default_factory=frozenset)
    unresolved: frozenset[str] = field(default_factory=frozenset)


def _allowed_list(names: Collection[str], limit: int = 80) -> str:
    ordered = sorted(names)
    text = ", ".join(ordered[:limit])
    if len(ordered) > limit:
        text += f", ... ({len(ordered) - limit} more)"
    return text


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
            )
        }

    def fail(self, message: str, node: Expr, allowed: Collection[str] = ()) -> None:
        if allowed:
            message += f"; allowed: {_allowed_list(allowed)}"
        raise ExpressionError(
            message, expression=self.text, offset=node.offset, allowed=sorted(allowed)
        )

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
            self.fail(
                f"unknown name {nid!r} (not a builtin, basket, symbol, "
                "series id or supplied series)",
                node,
                self.name_kinds(),
            )

    def asset(self, node: Expr, *, basket_only: bool) -> None:
        what = "a basket" if basket_only else "a basket or symbol"
        if isinstance(node, String | Name):
            key = node.value if isinstance(node, String) else node.id
            if key in self.baskets:
                self.found["baskets"].add(key)
                return
            if not basket_only:
                if self.symbols is None:
                    self.found["unresolved"].add(key)
                    return
                if key in self.symbols:
                    self.found["symbols"].add(key)
                    return
            allowed = self.baskets | (set() if basket_only else (self.symbols or set()))
            self.fail(
                f"unknown {'basket' if basket_only else 'basket or symbol'} {key!r}",
                node,
                allowed,
            )
        self.fail(f"expected {what} name here", node)

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
            self.fail(f"unknown series {key!r}", node, self.series)

    def integer(self, node: Expr, low: int, what: str) -> None:
        if not (isinstance(node, Number) and node.value.is_integer()):
            self.fail(f"{what} must be an integer literal", node)
            return
        if not low <= node.value <= MAX_WINDOW:
            self.fail(
                f"{what} must be between {low} and {MAX_WINDOW} "
                f"(got {_fmt(node.value)})",
                node,
            )

    def horizon(self, node: Expr) -> None:
        if isinstance(node, String):
            if node.value not in _HORIZON_WORDS:
                self.fail(
                    f"unknown dot-plot horizon {node.value!r}",
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
        if isinstance(node, String):
            self.fail("string literals are only allowed as function arguments", node)
        if isinstance(node, Name):
            self.resolve_name(node)
            return
        if isinstance(node, Unary):
            self.check(node.operand)
            return
        if isinstance(node, Binary | Compare):
            self.check(node.left)
            self.check(node.right)
            return
        assert isinstance(node, Call)
        sig = FUNCTIONS.get(node.func)
        if sig is None:
            self.fail(
                f"unknown function {node.func!r}",
                node,
                [s.usage(f) for f, s in FUNCTIONS.items()],
            )
            return
        n = len(node.args)
        if not len(sig.required) <= n <= len(sig.required) + len(sig.optional):
            self.fail(
                f"{node.func} takes {sig.usage(node.func)}; got {n} argument(s)", node
            )
        kinds = (sig.required + sig.optional)[:n]
        for kind, arg in zip(kinds, node.args, strict=True):
            if kind == "expr":
                self.check(arg)
            elif kind in ("asset", "basket"):
                self.asset(arg, basket_only=kind == "basket")
            elif kind == "series":
                self.series_arg(arg)
            elif kind == "window":
                self.integer(arg, 1, f"window of {node.func}")
            elif kind == "lag":
                self.integer(arg, 0, f"lag of {node.func}")
            elif kind == "horizon":
                self.horizon(arg)
            elif kind == "string":
                if not isinstance(arg, String):
                    self.fail(
                        f"{node.func} takes a quoted name, e.g. "
                        f'{node.func}("rotation")',
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
        window out of range; the message lists the allowed names.
    """
    checker = _Checker(text, baskets, symbols, series, extras)
    checker.check(node)
    return References(**{k: frozenset(v) for k, v in checker.found.items()})
