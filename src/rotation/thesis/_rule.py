"""Pillar rules: ``< x``, ``<= x``, ``> x``, ``>= x``, ``between a b``, ``outside a b``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Rule", "parse_rule"]

RuleOp = Literal["<", "<=", ">", ">=", "between", "outside"]
_RULE = re.compile(
    r"^\s*(?:(?P<op><=|>=|<|>)\s*(?P<x>[-+]?[0-9.]+(?:[eE][-+]?\d+)?)"
    r"|(?P<range>between|outside)\s+(?P<a>[-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s+"
    r"(?:and\s+)?(?P<b>[-+]?[0-9.]+(?:[eE][-+]?\d+)?))\s*$"
)
_ALLOWED = "'< x', '<= x', '> x', '>= x', 'between a b' or 'outside a b' (a <= b)"


@dataclass(frozen=True)
class Rule:
    r"""The condition a pillar's value must meet for the pillar to hold.

    A rule is an interval: ``< x`` is :math:`(-\infty, x)`, ``>= x`` is
    :math:`[x, \infty)`, ``between a b`` is :math:`[a, b]`; ``outside a b``
    is its complement, :math:`v < a` or :math:`v > b`.

    Attributes
    ----------
    op : {"<", "<=", ">", ">=", "between", "outside"}
        The comparison.
    low, high : float
        Interval bounds (``-inf``/``inf`` where open-ended).
    """

    op: RuleOp
    low: float
    high: float

    @property
    def outside(self) -> bool:
        """Whether the rule holds *outside* [low, high] (``outside a b``)."""
        return self.op == "outside"

    @property
    def low_strict(self) -> bool:
        """Whether the lower bound itself is excluded."""
        return self.op == ">"

    @property
    def high_strict(self) -> bool:
        """Whether the upper bound itself is excluded."""
        return self.op == "<"

    def distance(self, value: float) -> float:
        """Signed distance of ``value`` to the rule's boundary.

        Positive inside the interval (how far the value could move before the
        rule fails), negative outside (how far it must move to hold); in the
        units of the metric. NaN for NaN.
        """
        if math.isnan(value):
            return math.nan
        if self.outside:
            return max(self.low - value, value - self.high)
        return min(value - self.low, self.high - value)

    def __str__(self) -> str:
        if self.op in ("between", "outside"):
            return f"{self.op} {_num(self.low)} {_num(self.high)}"
        bound = self.high if self.op in ("<", "<=") else self.low
        return f"{self.op} {_num(bound)}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def parse_rule(text: str | Rule) -> Rule:
    """Parse a rule such as ``"< 0.4"`` or ``"between 3.5 3.75"``.

    Parameters
    ----------
    text : str or Rule
        The rule text (a :class:`Rule` is returned unchanged).

    Returns
    -------
    Rule

    Raises
    ------
    ValueError
        If the text is not one of the allowed forms.

    Examples
    --------
    >>> parse_rule("between 3.5 3.75")
    Rule(op='between', low=3.5, high=3.75)
    """
    if isinstance(text, Rule):
        return text
    if not isinstance(text, str):
        raise ValueError(f"rule must be text such as '< 0.4' (got {text!r})")
    m = _RULE.match(text)
    if m is None:
        raise ValueError(f"rule {text!r} is not understood; allowed: {_ALLOWED}")
    try:
        if m.group("op"):
            op = m.group("op")
            x = float(m.group("x"))
            values: tuple[float, ...] = (x,)
        else:
            op = m.group("range")
            values = (float(m.group("a")), float(m.group("b")))
    except ValueError:
        raise ValueError(
            f"rule {text!r} holds a malformed number; allowed: {_ALLOWED}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"rule {text!r} must use finite numbers")
    if op in ("between", "outside"):
        a, b = values
        if a > b:
            raise ValueError(f"rule {text!r}: '{op} a b' needs a <= b")
        return Rule(op, a, b)  # type: ignore[arg-type]
    if op in ("<", "<="):
        return Rule(op, -math.inf, values[0])  # type: ignore[arg-type]
    return Rule(op, values[0], math.inf)  # type: ignore[arg-type]
