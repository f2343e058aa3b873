"""Errors raised by the thesis engine.

Every error keeps where it happened (YAML line and column, or the offset in an
expression) as attributes, so that the CLI and the web API can point at it
without parsing the message.
"""

from __future__ import annotations

from collections.abc import Sequence

from rotation.exceptions import RotationError

__all__ = ["ExpressionError", "ThesisError"]


class ThesisError(RotationError, ValueError):
    """A thesis file or one of its parts is invalid.

    Parameters
    ----------
    message : str
        What is wrong, the value received and what is allowed.
    line, column : int, optional
        1-based position in the YAML text, where known.
    path : sequence of str or int, optional
        Location of the offending key inside the document
        (``("pillars", 3, "rule")``).
    allowed : sequence of str, optional
        The names that would have been accepted, where a name was wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        path: Sequence[str | int] = (),
        allowed: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.path = tuple(path)
        self.allowed = tuple(allowed)
        where = ""
        if line is not None:
            where = (
                f"line {line}: "
                if column is None
                else f"line {line}, column {column}: "
            )
        dotted = ".".join(str(p) for p in self.path)
        loc = f" (at {dotted})" if dotted else ""
        # Re-raising with more context (the file name) must not say the
        # position twice: one message per problem.
        if where and where[:-2] in message.partition("\n")[0]:
            where = ""
        if dotted and dotted in message:
            loc = ""
        first, _, rest = message.partition("\n")
        # The location belongs to the message, before an expression's caret.
        super().__init__(f"{where}{first}{loc}" + (f"\n{rest}" if rest else ""))


class ExpressionError(ThesisError):
    """A metric expression cannot be parsed or refers to something unknown.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    expression : str
        The expression text.
    offset : int, optional
        0-based character offset of the problem inside ``expression``.
    allowed : sequence of str, optional
        The names that would have been accepted.
    """

    def __init__(
        self,
        message: str,
        *,
        expression: str = "",
        offset: int | None = None,
        allowed: Sequence[str] = (),
        line: int | None = None,
        column: int | None = None,
        path: Sequence[str | int] = (),
    ) -> None:
        self.expression = expression
        self.offset = offset
        text = message
        if expression and offset is not None and len(expression) <= 200:
            text = f"{message}\n    {expression}\n    {' ' * offset}^"
        super().__init__(text, line=line, column=column, path=path, allowed=allowed)
