"""Tokenizer, recursive-descent parser and printer of the metric language.

The language is deliberately tiny (see ``docs/thesis.md``)::

    expr        := disjunction
    disjunction := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation    := "not" negation | comparison
    comparison  := additive [("<" | "<=" | ">" | ">=" | "==" | "!=") additive]
    additive    := term (("+" | "-") term)*
    term        := unary (("*" | "/") unary)*
    unary       := "-" unary | primary
    primary     := NUMBER | PERIOD | NAME | NAME "(" [arg ("," arg)*] ")"
                 | "(" expr ")"
    arg         := STRING | expr
    PERIOD      := DIGITS ("w" | "m" | "q" | "y") | "ytd" | "qtd" | "mtd"

Nothing here touches Python's ``ast``, ``eval`` or ``compile``: the text is
only ever turned into the dataclasses of :mod:`rotation.thesis._ast`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rotation.thesis._ast import (
    KEYWORDS,
    Binary,
    Call,
    Compare,
    Expr,
    Logical,
    Name,
    Number,
    Period,
    String,
    Unary,
)
from rotation.thesis._errors import ExpressionError

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NUMBER",
    "parse_expression",
    "unparse",
]

#: Longest expression accepted, in characters.
MAX_LENGTH = 1_000
#: Deepest nesting of parentheses, calls and operators accepted.
MAX_DEPTH = 40
#: Largest absolute number literal accepted.
MAX_NUMBER = 1e12
#: Longest name or string literal accepted.
MAX_NAME = 64

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PERIOD_UNITS = "wmqy"
#: Calendar windows that are words (to date).
PERIOD_WORDS = ("ytd", "qtd", "mtd")
_STRING = re.compile(r"\"([^\"\\\n]*)\"|'([^'\\\n]*)'")
_SYMBOLS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", ",")

_HINTS = {
    ".": "attribute access is not part of the language",
    "[": "subscripts are not part of the language; use lag(expr, n)",
    "]": "subscripts are not part of the language; use lag(expr, n)",
    "**": "powers are not part of the language",
    "_": "names starting with '_' are not allowed",
    ":": "lambdas, slices and annotations are not part of the language",
    "=": "assignment is not part of the language; use '==' to compare",
    "\\": "escapes are not part of the language",
}


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "str", "op", "end"
    text: str
    offset: int


def _fail(message: str, text: str, offset: int) -> ExpressionError:
    return ExpressionError(message, expression=text, offset=offset)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            assert m is not None  # a digit always starts a number
            i = m.end()
            if (
                i < n
                and text[i] in _PERIOD_UNITS
                and m.group().isdigit()
                and not (i + 1 < n and (text[i + 1].isalnum() or text[i + 1] == "_"))
            ):
                tokens.append(_Token("period", m.group() + text[i], m.start()))
                i += 1
                continue
            tokens.append(_Token("num", m.group(), m.start()))
            if i < n and (text[i].isalpha() or text[i] in "_."):
                raise _fail(
                    f"unexpected {text[i]!r} after number {m.group()!r} (calendar "
                    "windows are a whole number and w, m, q or y: 3m, 1y)",
                    text,
                    i,
                )
            continue
        if ch.isascii() and ch.isalpha():
            m = _NAME.match(text, i)
            assert m is not None
            if len(m.group()) > MAX_NAME:
                raise _fail(f"name longer than {MAX_NAME} characters", text, i)
            tokens.append(_Token("name", m.group(), i))
            i = m.end()
            continue
        if ch in "\"'":
            m = _STRING.match(text, i)
            if m is None:
                raise _fail(
                    "unterminated string (strings are quoted on one line and "
                    "take no backslash escapes)",
                    text,
                    i,
                )
            value = m.group(1) if m.group(1) is not None else m.group(2)
            if len(value) > MAX_NAME:
                raise _fail(f"string longer than {MAX_NAME} characters", text, i)
            tokens.append(_Token("str", value, i))
            i = m.end()
            continue
        if text.startswith("**", i):
            raise _fail(_HINTS["**"], text, i)
        for sym in _SYMBOLS:
            if text.startswith(sym, i):
                if sym == "(":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _fail(
                            f"parentheses nested deeper than {MAX_DEPTH} levels",
                            text,
                            i,
                        )
                elif sym == ")":
                    depth -= 1
                tokens.append(_Token("op", sym, i))
                i += len(sym)
                break
        else:
            hint = _HINTS.get(
                ch,
                "allowed: numbers, calendar windows (3m, ytd), names, calls, "
                "quoted strings, + - * / < <= > >= == != and or not ( ) ,",
            )
            raise _fail(f"unexpected character {ch!r}: {hint}", text, i)
    tokens.append(_Token("end", "", n))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, text: str) -> _Token:
        tok = self.take()
        if tok.kind != "op" or tok.text != text:
            found = "end of expression" if tok.kind == "end" else repr(tok.text)
            raise _fail(f"expected {text!r}, found {found}", self.text, tok.offset)
        return tok

    def enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _fail(
                f"expression nested deeper than {MAX_DEPTH} levels", self.text, offset
            )

    # -- grammar ---------------------------------------------------------
    def parse(self) -> Expr:
        node = self.disjunction()
        tok = self.peek()
        if tok.kind != "end":
            raise _fail(
                f"unexpected {tok.text!r} after expression", self.text, tok.offset
            )
        return node

    def keyword(self, word: str) -> _Token | None:
        tok = self.peek()
        if tok.kind == "name" and tok.text == word:
            return self.take()
        return None

    def disjunction(self) -> Expr:
        node = self.conjunction()
        while (tok := self.keyword("or")) is not None:
            node = Logical("or", node, self.conjunction(), offset=tok.offset)
        return node

    def conjunction(self) -> Expr:
        node = self.negation()
        while (tok := self.keyword("and")) is not None:
            node = Logical("and", node, self.negation(), offset=tok.offset)
        return node

    def negation(self) -> Expr:
        tok = self.keyword("not")
        if tok is None:
            return self.comparison()
        self.enter(tok.offset)
        node = Unary("not", self.negation(), offset=tok.offset)
        self.depth -= 1
        return node

    def comparison(self) -> Expr:
        left = self.additive()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            right = self.additive()
            nxt = self.peek()
            if nxt.kind == "op" and nxt.text in ("<", "<=", ">", ">=", "==", "!="):
                raise _fail(
                    "comparisons cannot be chained; use a pillar rule such as "
                    "'between 1 2'",
                    self.text,
                    nxt.offset,
                )
            return Compare(tok.text, left, right, offset=tok.offset)  # type: ignore[arg-type]
        return left

    def additive(self) -> Expr:
        node = self.term()
        while (tok := self.peek()).kind == "op" and tok.text in ("+", "-"):
            self.take()
            node = Binary(tok.text, node, self.term(), offset=tok.offset)  # type: ignore[arg-type]
        return node

    def term(self) -> Expr:
        node = self.unary()
        while (tok := self.peek()).kind == "op" and tok.text in ("*", "/"):
            self.take()
            node = Binary(tok.text, node, self.unary(), offset=tok.offset)  # type: ignore[arg-type]
        return node

    def unary(self) -> Expr:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-":
            self.take()
            self.enter(tok.offset)
            node = Unary("-", self.unary(), offset=tok.offset)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Expr:
        tok = self.take()
        if tok.kind == "num":
            value = float(tok.text)
            if not math.isfinite(value) or value > MAX_NUMBER:
                raise _fail(
                    f"number {tok.text} is out of range (allowed: up to "
                    f"{MAX_NUMBER:g} in absolute value)",
                    self.text,
                    tok.offset,
                )
            return Number(value, offset=tok.offset)
        if tok.kind == "period":
            return Period(tok.text, offset=tok.offset)
        if tok.kind == "name":
            nxt = self.peek()
            called = nxt.kind == "op" and nxt.text == "("
            if tok.text in KEYWORDS:
                raise _fail(
                    f"{tok.text!r} is an operator: write 'a and b', 'a or b', 'not a'",
                    self.text,
                    tok.offset,
                )
            if tok.text in PERIOD_WORDS and not called:
                return Period(tok.text, offset=tok.offset)
            if called:
                return self.call(tok)
            return Name(tok.text, offset=tok.offset)
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok.offset)
            node = self.disjunction()
            self.expect(")")
            self.depth -= 1
            return node
        if tok.kind == "str":
            raise _fail(
                "string literals are only allowed as function arguments, e.g. "
                'dots_median("terminal")',
                self.text,
                tok.offset,
            )
        found = "end of expression" if tok.kind == "end" else repr(tok.text)
        raise _fail(
            f"expected a number, name or '(', found {found}", self.text, tok.offset
        )

    def call(self, name: _Token) -> Expr:
        self.enter(name.offset)
        self.expect("(")
        args: list[Expr] = []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            while True:
                tok = self.peek()
                if tok.kind == "str":
                    self.take()
                    args.append(String(tok.text, offset=tok.offset))
                else:
                    args.append(self.disjunction())
                if self.peek().kind == "op" and self.peek().text == ",":
                    self.take()
                    continue
                break
        self.expect(")")
        self.depth -= 1
        return Call(name.text, tuple(args), offset=name.offset)


def parse_expression(text: str) -> Expr:
    """Parse a metric expression into its syntax tree.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"avg_corr(ai_large, 63)"``.

    Returns
    -------
    Expr
        The root node. Names and calls are not checked here; see
        :func:`rotation.thesis.check_expression`.

    Raises
    ------
    ExpressionError
        If the text is not in the language, is longer than :data:`MAX_LENGTH`
        characters, nests deeper than :data:`MAX_DEPTH` levels or holds a
        number larger than :data:`MAX_NUMBER`.

    Examples
    --------
    >>> parse_expression("rel_return(tangible, tech, 63) > 0").op
    '>'
    """
    if not isinstance(text, str):
        raise ExpressionError(
            f"expression must be a string (got {type(text).__name__})"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("expression is empty")
    return _Parser(text).parse()


_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "cmp": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "neg": 7,
    "atom": 8,
}


def _prec(node: Expr) -> int:
    if isinstance(node, Logical):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary) and node.op == "not":
        return _PRECEDENCE["not"]
    if isinstance(node, Compare):
        return _PRECEDENCE["cmp"]
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["neg"]
    return _PRECEDENCE["atom"]


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def unparse(node: Expr) -> str:
    """Print a syntax tree back as text that parses to the same tree.

    Parameters
    ----------
    node : Expr
        Root of the tree.

    Returns
    -------
    str
        Canonical text, with only the parentheses that precedence requires.

    Examples
    --------
    >>> unparse(parse_expression("(a - (b)) - -c"))
    'a - b - -c'
    """
    if isinstance(node, Number):
        return _number_text(node.value)
    if isinstance(node, String):
        quote = "'" if '"' in node.value else '"'
        return f"{quote}{node.value}{quote}"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Period):
        return node.value
    if isinstance(node, Call):
        return f"{node.func}({', '.join(unparse(a) for a in node.args)})"
    if isinstance(node, Unary):
        inner = unparse(node.operand)
        if node.op == "not":
            if _prec(node.operand) < _PRECEDENCE["not"]:
                inner = f"({inner})"
            return f"not {inner}"
        if _prec(node.operand) < _PRECEDENCE["neg"]:
            inner = f"({inner})"
        return f"-{inner}"
    mine = _prec(node)
    left, right = unparse(node.left), unparse(node.right)
    if _prec(node.left) < mine or (
        isinstance(node, Compare) and isinstance(node.left, Compare)
    ):
        left = f"({left})"
    # Operators are left-associative: an equal-precedence right child needs
    # parentheses, and comparisons never chain.
    if _prec(node.right) <= mine:
        right = f"({right})"
    return f"{left} {node.op} {right}"
