"""Hostile thesis text: deep nesting, NUL and control characters.

Each case must end in a ThesisError that names the problem and its position,
never in a RecursionError or a bare PyYAML error.
"""

from __future__ import annotations

import sys

import pytest

from rotation.thesis import ThesisError, load_thesis
from rotation.thesis._yaml import MAX_DEPTH, load_yaml
from rotation.thesis_files import default_thesis_text


def _nested_flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_block(depth: int) -> str:
    return "\n".join("  " * level + "k:" for level in range(depth)) + " 1\n"


class TestDepth:
    @pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 50_000])
    def test_deep_flow_sequence_is_a_thesis_error(self, depth):
        with pytest.raises(ThesisError, match="deeper than 32 levels") as info:
            load_thesis(_nested_flow(depth))
        assert info.value.line == 1
        # The error points at the first level past the limit.
        assert info.value.column == MAX_DEPTH + 1

    def test_deep_flow_mapping_is_a_thesis_error(self):
        text = "a: " + "{b: " * 3_000 + "1" + "}" * 3_000
        with pytest.raises(ThesisError, match="nesting is deeper"):
            load_thesis(text)

    def test_deep_block_mapping_is_a_thesis_error(self):
        with pytest.raises(ThesisError, match="nesting is deeper") as info:
            load_thesis(_nested_block(200))
        # PyYAML marks a block mapping's start at the key that opens it, which
        # sits on the line of the level before.
        assert info.value.line in (MAX_DEPTH, MAX_DEPTH + 1)

    def test_deep_block_sequence_is_a_thesis_error(self):
        with pytest.raises(ThesisError, match="nesting is deeper"):
            load_thesis("- " * 3_000 + "x")

    def test_no_recursion_error_even_with_a_low_recursion_limit(self):
        # A web worker thread may already be deep in the stack; the limit must
        # hold far below Python's default recursion limit.
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(400)
        try:
            with pytest.raises(ThesisError, match="nesting is deeper"):
                load_thesis(_nested_flow(10_000))
        finally:
            sys.setrecursionlimit(old)

    def test_nesting_at_the_limit_is_accepted_by_the_yaml_layer(self):
        value, _ = load_yaml(_nested_flow(MAX_DEPTH))
        depth = 0
        while isinstance(value, list) and value:
            value, depth = value[0], depth + 1
        assert depth == MAX_DEPTH - 1

    def test_default_thesis_is_well_inside_the_limit(self):
        assert load_thesis(default_thesis_text()).pillars


class TestControlCharacters:
    def test_nul_in_a_value_names_line_and_column(self):
        with pytest.raises(ThesisError, match="NUL character") as info:
            load_thesis("meta:\n  title: a\x00b\n")
        assert (info.value.line, info.value.column) == (2, 11)

    def test_nul_in_bytes(self):
        with pytest.raises(ThesisError, match="NUL character"):
            load_thesis(b"meta: {title: x}\x00")

    def test_utf16_file_is_refused_with_a_reason(self):
        data = default_thesis_text().encode("utf-16-le")
        with pytest.raises(ThesisError) as info:
            load_thesis(data)
        assert "NUL" in str(info.value) or "UTF-8" in str(info.value)

    def test_other_control_character(self):
        with pytest.raises(ThesisError, match="U\\+0007") as info:
            load_thesis("meta: {title: a}\nbaskets: \x07\n")
        assert (info.value.line, info.value.column) == (2, 10)

    def test_tab_and_newline_are_not_refused(self):
        value, _ = load_yaml('a: "x\ty"\r\nb: 2\n')
        assert value == {"a": "x\ty", "b": 2}
