"""Syntax tree of the metric-expression language.

Nodes are frozen dataclasses, hashable and comparable by value; the source
offset is kept for error messages but takes no part in equality, so that
``parse(unparse(tree)) == tree``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "BINARY_OPS",
    "COMPARE_OPS",
    "KEYWORDS",
    "LOGICAL_OPS",
    "Binary",
    "Call",
    "Compare",
    "Expr",
    "Logical",
    "Name",
    "Number",
    "Period",
    "String",
    "Unary",
    "walk",
]

BinaryOp = Literal["+", "-", "*", "/"]
CompareOp = Literal["<", "<=", ">", ">=", "==", "!="]
BINARY_OPS: tuple[str, ...] = ("+", "-", "*", "/")
COMPARE_OPS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "!=")
LogicalOp = Literal["and", "or"]
LOGICAL_OPS: tuple[str, ...] = ("and", "or")
#: Words of the language that can never be names.
KEYWORDS: frozenset[str] = frozenset({"and", "or", "not"})


@dataclass(frozen=True)
class Number:
    """A non-negative finite number literal (negation is a :class:`Unary`)."""

    value: float
    offset: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value >= 0.0):
            raise ValueError(
                f"Number literal must be finite and >= 0 (got {self.value!r}); "
                "write negative numbers as Unary('-', Number(...))."
            )


@dataclass(frozen=True)
class String:
    """A string literal; only allowed as a function argument."""

    value: str
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Period:
    """A calendar window literal.

    ``3m``, ``6m``, ``1y``, ``2w``, ``1q``, ``ytd``, ``qtd`` or ``mtd``; see
    :func:`rotation.thesis.window_anchors`.
    """

    value: str
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    """A name: builtin metric, basket, symbol or series id."""

    id: str
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    """A call of a whitelisted function."""

    func: str
    args: tuple[Expr, ...]
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Unary:
    """Unary minus, or logical ``not`` (1.0 where the operand is 0, NaN if NaN)."""

    op: Literal["-", "not"]
    operand: Expr
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Binary:
    """Arithmetic ``+ - * /``; left-associative."""

    op: BinaryOp
    left: Expr
    right: Expr
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Compare:
    """A comparison; evaluates to 1.0 (true) or 0.0 (false), NaN if unknown."""

    op: CompareOp
    left: Expr
    right: Expr
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Logical:
    """``and`` / ``or`` with Kleene logic.

    A known false side decides ``and``, a known true side decides ``or``;
    otherwise NaN propagates. Non-zero numbers are true.
    """

    op: LogicalOp
    left: Expr
    right: Expr
    offset: int = field(default=0, compare=False, repr=False)


Expr = Number | String | Period | Name | Call | Unary | Binary | Compare | Logical


def walk(node: Expr) -> Iterator[Expr]:
    """Yield ``node`` and every node below it, depth first (iterative)."""
    stack: list[Expr] = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(reversed(current.args))
        elif isinstance(current, Unary):
            stack.append(current.operand)
        elif isinstance(current, Binary | Compare | Logical):
            stack.append(current.right)
            stack.append(current.left)
