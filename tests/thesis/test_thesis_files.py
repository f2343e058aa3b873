from __future__ import annotations

import pytest

from rotation.thesis import ThesisError
from rotation.thesis._yaml import MAX_TEXT_BYTES
from rotation.thesis_files import (
    default_thesis_text,
    load_thesis_file,
    read_thesis_file,
)


class TestFiles:
    def test_default(self):
        assert read_thesis_file() == default_thesis_text().encode("utf-8")
        assert load_thesis_file().meta.title == "The Great 2026 Rotation"

    def test_round_trip_through_disk(self, tmp_path, small_thesis_text):
        path = tmp_path / "t.yaml"
        path.write_text(small_thesis_text, encoding="utf-8")
        assert load_thesis_file(path).meta.title == "Small test thesis"

    def test_missing(self, tmp_path):
        with pytest.raises(ThesisError, match="does not exist"):
            read_thesis_file(tmp_path / "nope.yaml")

    def test_directory(self, tmp_path):
        with pytest.raises(ThesisError, match="not a file"):
            read_thesis_file(tmp_path)

    def test_too_large(self, tmp_path):
        path = tmp_path / "big.yaml"
        path.write_bytes(b"#" * (MAX_TEXT_BYTES + 1))
        with pytest.raises(ThesisError, match="limit"):
            read_thesis_file(path)

    def test_error_names_file_and_line(self, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_text(
            "meta: {title: t}\npillars:\n  - id: a\n    claim: c\n"
            "    expr: x.y\n    rule: '> 0'\n",
            encoding="utf-8",
        )
        with pytest.raises(ThesisError, match="bad.yaml") as info:
            load_thesis_file(path)
        assert info.value.line == 5
