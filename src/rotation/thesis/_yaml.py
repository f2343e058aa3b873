"""Safe YAML loading that remembers where every value came from.

``yaml.safe_load`` alone accepts anchors and aliases, which let a few hundred
bytes expand into gigabytes ("billion laughs"), silently keeps the last of two
duplicate keys and forgets line numbers. Here aliases and anchors are refused,
duplicate keys are errors, the text size, node count and nesting depth are
capped, NUL and other control characters are refused with their position, and
each value's position is kept so that validation errors can point at a line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.reader import ReaderError

from rotation.thesis._errors import ThesisError

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_TEXT_BYTES", "Marks", "load_yaml"]

#: Largest thesis text accepted (1 MiB).
MAX_TEXT_BYTES = 1 << 20
#: Most YAML nodes accepted in one document.
MAX_NODES = 50_000
#: Deepest nesting of mappings and sequences accepted. A thesis needs about
#: five levels; the composer recurses once per level, so a limit far below
#: Python's recursion limit turns a hostile document into a ThesisError
#: instead of a RecursionError.
MAX_DEPTH = 32

Marks = dict[tuple[str | int, ...], tuple[int, int]]


class _StrictLoader(yaml.SafeLoader):
    """A pure-Python safe loader that refuses anchors, aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if self._depth >= MAX_DEPTH:
            mark = event.start_mark
            raise ThesisError(
                f"thesis nesting is deeper than {MAX_DEPTH} levels of mappings "
                "and lists; a thesis needs about five (meta, baskets, pillars, "
                "...), so flatten this value",
                line=None if mark is None else mark.line + 1,
                column=None if mark is None else mark.column + 1,
            )
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise ThesisError(
                f"YAML aliases (*{event.anchor}) are not allowed in a thesis file; "
                "write the value out in full",
                line=None if mark is None else mark.line + 1,
                column=None if mark is None else mark.column + 1,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            mark = event.start_mark
            raise ThesisError(
                f"YAML anchors (&{anchor}) are not allowed in a thesis file; "
                "write the value out in full",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _refuse_control_characters(text: str) -> None:
    # PyYAML's reader refuses these too, but only as a bare ReaderError with
    # a character offset; NUL is named on its own because it is the usual
    # sign of a binary or UTF-16 file saved under a .yaml name.
    offset = text.find("\x00")
    if offset >= 0:
        line, column = _position(text, offset)
        raise ThesisError(
            "thesis text contains a NUL character (\\x00); a thesis is UTF-8 "
            "text, so remove it or save the file as plain UTF-8 (not UTF-16)",
            line=line,
            column=column,
        )


def _decode(data: str | bytes) -> str:
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_TEXT_BYTES:
            raise ThesisError(
                f"thesis text is {len(data)} bytes; the limit is {MAX_TEXT_BYTES}"
            )
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            line = bytes(data[: exc.start]).count(b"\n") + 1
            raise ThesisError(
                f"thesis text is not valid UTF-8: byte 0x{data[exc.start]:02x} at "
                f"offset {exc.start} ({exc.reason}); save the file as UTF-8",
                line=line,
            ) from None
    if not isinstance(data, str):
        raise ThesisError(
            f"thesis text must be str or bytes (got {type(data).__name__}); "
            "read files with rotation.thesis_files.read_thesis_file"
        )
    if len(data.encode("utf-8", errors="surrogatepass")) > MAX_TEXT_BYTES:
        raise ThesisError(f"thesis text is larger than {MAX_TEXT_BYTES} bytes")
    return data


def _walk_marks(root: yaml.Node) -> Marks:
    marks: Marks = {}
    count = 0
    stack: list[tuple[tuple[str | int, ...], yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ThesisError(f"thesis document has more than {MAX_NODES} nodes")
        marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise ThesisError(
                        "mapping keys must be plain names",
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        path=path,
                    )
                key = str(key_node.value)
                if key == "<<":
                    raise ThesisError(
                        "YAML merge keys (<<) are not allowed in a thesis file",
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        path=path,
                    )
                if key in seen:
                    raise ThesisError(
                        f"duplicate key {key!r} (first at line {seen[key]})",
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        path=path,
                    )
                seen[key] = key_node.start_mark.line + 1
                stack.append(((*path, key), value_node))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append(((*path, i), item))
    return marks


def load_yaml(data: str | bytes) -> tuple[Any, Marks]:
    """Parse one YAML document safely.

    Parameters
    ----------
    data : str or bytes
        The document; bytes must be UTF-8.

    Returns
    -------
    value : object
        The document as plain Python values (dicts, lists, scalars).
    marks : dict
        For each path of keys/indices, the 1-based (line, column) of its value.

    Raises
    ------
    ThesisError
        On non-UTF-8 bytes, NUL or other control characters, YAML syntax
        errors, anchors, aliases, merge keys, duplicate keys, non-standard
        tags, or a text size, node count or nesting depth over the limits
        (:data:`MAX_TEXT_BYTES`, :data:`MAX_NODES`, :data:`MAX_DEPTH`).
    """
    text = _decode(data)
    _refuse_control_characters(text)
    try:
        loader = _StrictLoader(text)
    except ReaderError as exc:
        line, column = _position(text, exc.position)
        raise ThesisError(
            f"thesis text contains the control character U+{exc.character:04X}; "
            "remove it (only tab, newline and printable characters are allowed)",
            line=line,
            column=column,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ThesisError("thesis text is empty")
        marks = _walk_marks(node)
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ThesisError(
            f"invalid YAML: {problem}",
            line=None if mark is None else mark.line + 1,
            column=None if mark is None else mark.column + 1,
        ) from None
    except yaml.YAMLError as exc:
        raise ThesisError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return value, marks
