from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotation.thesis import (
    Binary,
    Call,
    Compare,
    ExpressionError,
    Name,
    Number,
    String,
    ThesisError,
    Unary,
    parse_expression,
    unparse,
)
from rotation.thesis._ast import walk
from rotation.thesis._parser import MAX_DEPTH, MAX_LENGTH

# -- an audit hook that records anything "outside the language" --------------
_WATCH = {"active": False, "events": []}
_DANGEROUS = (
    "exec",
    "compile",
    "import",
    "os.system",
    "subprocess.Popen",
    "open",
    "builtins.input",
    "ctypes.dlopen",
    "socket.connect",
    "os.exec",
)


def _hook(event: str, args: object) -> None:
    if _WATCH["active"] and event.startswith(_DANGEROUS):
        _WATCH["events"].append(event)


sys.addaudithook(_hook)


def _parse_watched(text: str):
    _WATCH["events"] = []
    _WATCH["active"] = True
    try:
        return parse_expression(text)
    finally:
        _WATCH["active"] = False


class TestReference:
    def test_precedence_and_associativity(self):
        tree = parse_expression("a - b - c * d / e")
        # Built by hand: ((a - b) - ((c * d) / e))
        expected = Binary(
            "-",
            Binary("-", Name("a"), Name("b")),
            Binary("/", Binary("*", Name("c"), Name("d")), Name("e")),
        )
        assert tree == expected

    def test_unary_binds_tighter_than_multiplication(self):
        assert parse_expression("-a * b") == Binary(
            "*", Unary("-", Name("a")), Name("b")
        )

    def test_comparison_is_lowest(self):
        tree = parse_expression("a + 1 < b")
        assert tree == Compare("<", Binary("+", Name("a"), Number(1.0)), Name("b"))

    def test_call_with_string_and_numbers(self):
        tree = parse_expression('dots_median("terminal") - 3.4')
        assert tree == Binary(
            "-", Call("dots_median", (String("terminal"),)), Number(3.4)
        )

    def test_numbers(self):
        assert parse_expression("1e-3") == Number(0.001)
        assert parse_expression(".5") == Number(0.5)
        assert parse_expression("63") == Number(63.0)

    def test_offsets_kept_but_not_compared(self):
        tree = parse_expression("  foo")
        assert tree.offset == 2
        assert tree == Name("foo")

    def test_unparse_minimal_parentheses(self):
        assert unparse(parse_expression("(a - (b)) - -c")) == "a - b - -c"
        assert unparse(parse_expression("a - (b - c)")) == "a - (b - c)"
        assert unparse(parse_expression("-(a + b) * c")) == "-(a + b) * c"
        assert unparse(parse_expression("(a < b) == (c > d)")) == "(a < b) == (c > d)"


# -- strategies for random valid trees ----------------------------------------
_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
_numbers = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
_strings = st.from_regex(r"[A-Za-z0-9_ =.:-]{0,10}", fullmatch=True)


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.just("-"), children),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(
            Compare,
            st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
            children,
            children,
        ),
        st.builds(
            Call,
            _names,
            st.lists(st.one_of(children, st.builds(String, _strings)), max_size=3).map(
                tuple
            ),
        ),
    )


_trees = st.recursive(
    st.one_of(st.builds(Number, _numbers), st.builds(Name, _names)),
    _extend,
    max_leaves=12,
)


def _depth(node) -> int:
    if isinstance(node, Call):
        return 1 + max((_depth(a) for a in node.args), default=0)
    if isinstance(node, Unary):
        return 1 + _depth(node.operand)
    if isinstance(node, Binary | Compare):
        return 1 + max(_depth(node.left), _depth(node.right))
    return 0


class TestProperties:
    @settings(deadline=None, max_examples=200)
    @given(_trees)
    def test_every_valid_tree_round_trips(self, tree):
        text = unparse(tree)
        if len(text) > MAX_LENGTH or _depth(tree) > MAX_DEPTH // 2:
            return
        assert parse_expression(text) == tree
        # Printing is canonical: a second round gives the same text.
        assert unparse(parse_expression(text)) == text

    @settings(
        deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        st.lists(
            st.sampled_from(
                list("abc_XYZ019.()[]{}'\",:;=+-*/<>!@#$%^&|\\`~ \n\t")
                + ["__import__", "lambda", "os", "eval", "exec", "**", "__class__"]
            ),
            max_size=40,
        ).map("".join)
    )
    def test_random_text_parses_or_fails_cleanly_and_runs_nothing(self, text):
        try:
            tree = _parse_watched(text)
        except ExpressionError as exc:
            assert isinstance(exc, ThesisError) and isinstance(exc, ValueError)
        else:
            allowed = (Number, String, Name, Call, Unary, Binary, Compare)
            assert all(type(node) in allowed for node in walk(tree))
            assert all(
                not n.id.startswith("_") for n in walk(tree) if isinstance(n, Name)
            )
        assert _WATCH["events"] == []

    @settings(deadline=None, max_examples=100)
    @given(_trees)
    def test_printed_trees_contain_no_python_syntax(self, tree):
        text = unparse(tree)
        for token in ("**", "[", "lambda", "__"):
            if token in text:
                # Only possible inside a string literal argument or a name.
                assert isinstance(parse_expression(text), type(tree))


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("a.b", "attribute access"),
            ("x.__class__", "attribute access"),
            ("x[0]", "subscripts"),
            ("lambda x: x", "unexpected"),
            ("__import__('os')", "names starting with '_'"),
            ("_private", "names starting with '_'"),
            ("9**9**9", "powers are not part"),
            ("2 ** 10", "powers are not part"),
            ("1e999", "out of range"),
            ("1e13", "out of range"),
            ("a < b < c", "cannot be chained"),
            ("'os'", "only allowed as function arguments"),
            ("f(", "expected"),
            ("(a", "expected"),
            ("a)", "unexpected"),
            ("", "empty"),
            ("a = 1", "assignment"),
            ("a; b", "unexpected character"),
            ("`ls`", "unexpected character"),
            ("f'{x}'", "unexpected"),
            ("'unterminated", "unterminated"),
            ("x if y else z", "unexpected"),
        ],
    )
    def test_hostile_expressions_fail_with_our_error(self, text, match):
        with pytest.raises(ExpressionError, match=match):
            _parse_watched(text)
        assert _WATCH["events"] == []

    def test_ten_thousand_nested_parentheses(self):
        text = "(" * 10_000 + "1" + ")" * 10_000
        with pytest.raises(ExpressionError, match="characters long"):
            parse_expression(text)

    def test_nesting_limit_inside_length_limit(self):
        text = "(" * 300 + "1" + ")" * 300
        with pytest.raises(ExpressionError, match="nested deeper"):
            parse_expression(text)

    def test_unary_chain_limit(self):
        with pytest.raises(ExpressionError, match="nested deeper"):
            parse_expression("-" * 500 + "1")

    def test_call_nesting_limit(self):
        text = "abs(" * 100 + "1" + ")" * 100
        with pytest.raises(ExpressionError, match="nested deeper"):
            parse_expression(text)

    def test_error_points_at_offset(self):
        with pytest.raises(ExpressionError) as info:
            parse_expression("avg_corr(ai, 63) + a.b")
        assert info.value.offset == 20
        assert "^" in str(info.value)

    def test_not_a_string(self):
        with pytest.raises(ExpressionError, match="must be a string"):
            parse_expression(42)  # type: ignore[arg-type]

    def test_negative_number_node_rejected(self):
        with pytest.raises(ValueError, match="finite and >= 0"):
            Number(-1.0)


class TestWatcher:
    def test_audit_watcher_would_see_a_compile(self):
        # Guard against a watcher that can never fire.
        _WATCH["events"] = []
        _WATCH["active"] = True
        try:
            compile("1", "<x>", "eval")
        finally:
            _WATCH["active"] = False
        assert "compile" in _WATCH["events"]
