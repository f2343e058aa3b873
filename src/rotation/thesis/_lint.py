"""Warnings about expressions that parse and run but are probably not meant.

Lint never refuses a thesis: it flags expressions whose units are odd, such
as the difference of two price levels (dollars of one asset minus dollars of
another depend on each price's scale, split history and base date).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rotation.thesis._ast import Binary, Call, Expr, Name, walk
from rotation.thesis._parser import unparse

__all__ = ["LintWarning", "lint_expression", "lint_thesis"]

#: Functions whose value is a price level when their first argument is one.
_LEVEL_PRESERVING = ("lag", "mean", "min", "max", "abs")


@dataclass(frozen=True)
class LintWarning:
    """One warning: where it is and what to write instead.

    Attributes
    ----------
    item : str
        The pillar or risk id.
    path : tuple
        Key path of the expression in the thesis (``("pillars", 3, "expr")``).
    line, column : int or None
        1-based position of the offending operator in the thesis text.
    message : str
    """

    item: str
    path: tuple[str | int, ...]
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = (
            f"line {self.line}, column {self.column}: " if self.line is not None else ""
        )
        return f"{where}{self.item}: {self.message}"


def _is_level(node: Expr, baskets: Collection[str], symbols: Collection[str]) -> bool:
    if isinstance(node, Call):
        if node.func == "price":
            return True
        if node.func in _LEVEL_PRESERVING and node.args:
            return _is_level(node.args[0], baskets, symbols)
        return False
    if isinstance(node, Name):
        return node.id in baskets or node.id in symbols
    return False


def lint_expression(
    tree: Expr,
    *,
    baskets: Collection[str] = (),
    symbols: Collection[str] = (),
) -> list[tuple[int, str]]:
    """Return ``(offset, message)`` for each dimensionally odd part of ``tree``.

    Parameters
    ----------
    tree : Expr
        A parsed expression.
    baskets, symbols : collection of str
        Names that are price levels when used bare (a basket is its index).

    Examples
    --------
    >>> from rotation.thesis import parse_expression
    >>> lint_expression(parse_expression("price(XLE) - price(XLK)"))[0][1][:40]
    'price(XLE) - price(XLK) is a difference '
    """
    out: list[tuple[int, str]] = []
    for node in walk(tree):
        if (
            isinstance(node, Binary)
            and node.op in ("+", "-")
            and _is_level(node.left, baskets, symbols)
            and _is_level(node.right, baskets, symbols)
        ):
            word = "difference" if node.op == "-" else "sum"
            out.append(
                (
                    node.offset,
                    f"{unparse(node)} is a {word} of two price levels: its size "
                    "depends on each price's scale; compare with ratio(a, b), "
                    "rel_return(a, b, window) or momentum(asset, window)",
                )
            )
    return out


def lint_thesis(
    thesis: object, symbols: Collection[str] = ()
) -> tuple[LintWarning, ...]:
    """Lint every pillar and risk trigger of a :class:`~rotation.thesis.Thesis`."""
    from rotation.thesis._spec import Pillar, Thesis, Trigger

    assert isinstance(thesis, Thesis)
    found: list[LintWarning] = []
    items: list[tuple[str, tuple[str | int, ...], Pillar | Trigger | None]] = [
        (p.id, ("pillars", i, "expr"), p) for i, p in enumerate(thesis.pillars)
    ]
    items += [
        (r.id, ("risks", j, "trigger", "expr"), r.trigger)
        for j, r in enumerate(thesis.risks)
        if r.trigger is not None
    ]
    for item_id, path, spec in items:
        if spec is None or spec.tree is None:
            continue
        for offset, message in lint_expression(
            spec.tree, baskets=thesis.language_baskets(), symbols=symbols
        ):
            mark = thesis.locate(path, offset)
            found.append(
                LintWarning(
                    item_id,
                    path,
                    None if mark is None else mark[0],
                    None if mark is None else mark[1],
                    message,
                )
            )
    return tuple(found)
