"""Loading a thesis from YAML text, with errors that point at lines."""

from __future__ import annotations

import types
import typing
from typing import Any

import pydantic

from rotation.thesis._errors import ThesisError
from rotation.thesis._spec import LocatedValueError, Thesis
from rotation.thesis._yaml import Marks, load_yaml

__all__ = ["load_thesis"]


def _model_at(path: tuple[str | int, ...]) -> type[pydantic.BaseModel] | None:
    """Follow ``path`` through the Thesis model's field annotations."""
    current: Any = Thesis
    for key in path:
        if isinstance(key, int):
            continue
        if not (isinstance(current, type) and issubclass(current, pydantic.BaseModel)):
            return None
        info = current.model_fields.get(str(key))
        if info is None:
            return None
        current = _unwrap(info.annotation)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return current
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / tuple / dict wrappers down to a model class."""
    for _ in range(4):
        origin = typing.get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (typing.Union, types.UnionType):
            models = [
                a
                for a in args
                if isinstance(a, type) and issubclass(a, pydantic.BaseModel)
            ]
            annotation = models[0] if models else args[0]
        elif origin is dict:
            # dict[str, Model]: the next key on the path names an entry.
            return _DictOf(args[-1])
        elif origin in (tuple, list):
            annotation = args[0]
        else:
            return annotation
    return annotation


class _DictOf:
    def __init__(self, value: Any) -> None:
        self.value = value


def _mark_for(path: tuple[str | int, ...], marks: Marks) -> tuple[int, int] | None:
    for end in range(len(path), -1, -1):
        if path[:end] in marks:
            return marks[path[:end]]
    return None


def _clean_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # Pydantic inserts validator/union tags such as "function-after[...]".
    return tuple(
        p
        for p in loc
        if isinstance(p, int) or not ("[" in str(p) and str(p).endswith("]"))
    )


def _inline_offsets(data: Any, marks: Marks, text: str) -> dict[Any, int]:
    """Return how far each one-line expression starts from its value's mark.

    1 for a quoted scalar, 0 for a plain one; block scalars are left out.
    """
    lines = text.splitlines()
    out: dict[Any, int] = {}
    for path, (line, column) in marks.items():
        if not path or path[-1] != "expr":
            continue
        value: Any = data
        try:
            for key in path:
                value = value[key]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(value, str) or "\n" in value or line > len(lines):
            continue
        first = lines[line - 1][column - 1 : column]
        if first in ("'", '"'):
            out[path] = 1
        elif first not in ("|", ">"):
            out[path] = 0
    return out


def _problems(
    exc: pydantic.ValidationError,
) -> list[tuple[tuple[str | int, ...], str, int | None, str]]:
    """Return (path, message, offset in an expression, pydantic type) of each error."""
    out: list[tuple[tuple[str | int, ...], str, int | None, str]] = []
    for err in exc.errors():
        path = _clean_path(tuple(err["loc"]))
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, LocatedValueError):
            out.append(
                ((*path, *original.path), str(original), original.offset, "value_error")
            )
            out += [
                ((*path, *where), message, offset, "value_error")
                for message, where, offset in original.more
            ]
            continue
        message = str(original) if original is not None else err["msg"]
        out.append((path, message, None, err["type"]))
    # A list whose items failed is then "too short" as well: say it once.
    return [
        p
        for p in out
        if not (
            p[3] == "too_short"
            and any(q is not p and q[0][: len(p[0])] == p[0] for q in out)
        )
    ]


def _translate(
    exc: pydantic.ValidationError, marks: Marks, inline: dict[Any, int]
) -> ThesisError:
    problems: list[tuple[tuple[str | int, ...], str, tuple[int, int] | None]] = []
    allowed: tuple[str, ...] = ()
    for path, message, offset, kind in _problems(exc):
        if kind == "extra_forbidden":
            # a key pydantic cannot place (e.g. "[]") comes with an empty path
            model = _model_at(path[:-1]) if path else Thesis
            names = tuple(sorted(model.model_fields)) if model is not None else ()
            message = f"unknown key {path[-1]!r}" if path else "unknown top-level key"
            if names:
                message += f"; allowed keys here: {', '.join(names)}"
                allowed = allowed or names
        mark = _mark_for(path, marks)
        if mark is not None and offset is not None and path in inline:
            mark = (mark[0], mark[1] + inline[path] + offset)
        problems.append((path, message, mark))
    first_path, _, first_mark = problems[0]
    lines = [f"thesis is invalid: {len(problems)} problem(s)"]
    for path, message, mark in problems:
        where = f"line {mark[0]}, column {mark[1]}" if mark else "document"
        dotted = ".".join(str(p) for p in path) or "<root>"
        lines.append(f"  - {where} ({dotted}): {message}")
    return ThesisError(
        "\n".join(lines),
        line=None if first_mark is None else first_mark[0],
        column=None if first_mark is None else first_mark[1],
        path=first_path,
        allowed=allowed,
    )


def load_thesis(text: str | bytes) -> Thesis:
    """Load and validate a thesis from YAML text.

    Parameters
    ----------
    text : str or bytes
        The YAML document (bytes must be UTF-8). Reading files is left to
        the shells: see :func:`rotation.thesis_files.read_thesis_file`.

    Returns
    -------
    Thesis
        The validated, immutable thesis; every expression is parsed and checked
        against the function whitelist and the thesis's baskets.

    Raises
    ------
    ThesisError
        On unsafe or malformed YAML (anchors, aliases, duplicate keys,
        non-UTF-8 bytes, NUL or control characters, nesting deeper than
        :data:`rotation.thesis._yaml.MAX_DEPTH`), unknown keys, bad values or
        bad expressions; the message gives the line and column and the
        allowed names. Hostile input never escapes as ``RecursionError``.

    Examples
    --------
    >>> thesis = load_thesis('''
    ... meta: {title: Tangible over tech}
    ... baskets: {tangible: [XLI, XLB, XLE], tech: [XLK]}
    ... pillars:
    ...   - id: tangible_leads
    ...     claim: Tangible value beats tech over a quarter.
    ...     expr: rel_return(tangible, tech, 63)
    ...     rule: "> 0"
    ... ''')
    >>> thesis.pillars[0].rule.op
    '>'
    """
    data, marks = load_yaml(text)
    if not isinstance(data, dict):
        raise ThesisError(
            f"a thesis must be a YAML mapping with keys meta, baskets, pillars... "
            f"(got {type(data).__name__})",
            line=1,
            column=1,
        )
    source = text.decode("utf-8") if isinstance(text, bytes) else text
    inline = _inline_offsets(data, marks, source)
    try:
        thesis = Thesis.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _translate(exc, marks, inline) from None
    # Where each key sits, so that errors found on evaluation (a symbol the
    # store lacks) point at the line and column too.
    thesis._marks = dict(marks)
    thesis._inline = inline
    return thesis
