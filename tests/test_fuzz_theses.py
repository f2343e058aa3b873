"""No thesis text ever produces a traceback: a ThesisError or a loaded Thesis.

Hypothesis mutates the default thesis (cut, duplicated and garbled lines,
random characters) and builds arbitrary YAML-ish documents; loading must
either succeed or raise :class:`ThesisError` with a message, and
``rotation thesis lint`` must answer with an ``error:`` line, never a
traceback.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rotation.analysis import ThesisError, load_thesis
from rotation.cli import app
from rotation.thesis_files import default_thesis_text

DEFAULT = default_thesis_text()
LINES = DEFAULT.splitlines()
runner = CliRunner()


@st.composite
def mutated_thesis(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "garble", "indent", "insert"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "garble":
            text = draw(st.text(string.printable + "\x00é€[]{}:&*!|>%@`", max_size=20))
            cut = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:cut] + text + lines[i][cut:]
        elif action == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        else:
            lines.insert(i, draw(st.text(max_size=40)))
    return "\n".join(lines)


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
)
documents = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=25,
)


def _load(text: str) -> None:
    try:
        load_thesis(text)
    except ThesisError as exc:
        assert str(exc).strip(), "a ThesisError must say what is wrong"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_thesis())
def test_mutated_default_thesis_loads_or_says_why(text):
    _load(text)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_arbitrary_documents_load_or_say_why(document):
    import yaml

    _load(yaml.safe_dump(document))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=mutated_thesis())
def test_lint_answers_with_an_error_line_not_a_traceback(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = runner.invoke(app, ["thesis", "lint", str(path)])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert "error" in result.output.lower()


@pytest.mark.parametrize(
    "bad", ["meta: [", "\x00", "pillars: 5", "- - -", "{" * 200, '"[]": null']
)
def test_known_bad_documents(bad):
    with pytest.raises(ThesisError):
        load_thesis(bad)
