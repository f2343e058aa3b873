"""Random whitelisted expressions evaluate safely on a small market."""

from __future__ import annotations

import sys

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotation.thesis import (
    Binary,
    Call,
    Compare,
    Name,
    Number,
    String,
    Unary,
    parse_expression,
    unparse,
)
from rotation.thesis._metrics import MetricEngine
from rotation.thesis._spec import Basket

_EVENTS: list[str] = []
_ACTIVE = [False]


def _hook(event: str, args: object) -> None:
    if _ACTIVE[0] and event.startswith(
        ("exec", "compile", "os.system", "subprocess.Popen", "socket.")
    ):
        _EVENTS.append(event)


sys.addaudithook(_hook)

BASKETS = {
    "tangible": Basket(members=("XLI", "XLB", "XLE")),
    "ai": Basket(members=("NVDA", "MSFT", "GOOGL")),
}
windows = st.integers(2, 80).map(lambda n: Number(float(n)))
assets = st.sampled_from(["tangible", "ai", "XLK", "SPY"]).map(Name)
leaves = st.one_of(
    st.floats(0, 100, allow_nan=False).map(Number),
    st.sampled_from(["fed_mid", "XLK", "tangible", "DGS2", "dgs2_minus_mid"]).map(Name),
    st.builds(
        lambda b, w: Call("avg_corr", (b, w)),
        st.sampled_from(["ai"]).map(Name),
        windows,
    ),
    st.builds(lambda a, b, w: Call("rel_return", (a, b, w)), assets, assets, windows),
    st.builds(lambda a, w: Call("momentum", (a, w)), assets, windows),
    st.builds(lambda a: Call("drawdown", (a,)), assets),
    st.just(Call("yoy", (Name("CPIAUCSL"),))),
    st.just(Call("dots_median", (String("terminal"),))),
    st.just(Call("dots_median", (Number(2020.0),))),
    st.just(Call("regime_prob", (String("rotation"),))),
)


def _extend(children):
    return st.one_of(
        st.builds(Unary, st.just("-"), children),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(Compare, st.sampled_from(["<", ">=", "=="]), children, children),
        st.builds(lambda x, w: Call("zscore", (x, w)), children, windows),
        st.builds(lambda x, w: Call("lag", (x, w)), children, windows),
        st.builds(lambda x, w: Call("change", (x, w)), children, windows),
        st.builds(lambda a, b: Call("ratio", (a, b)), children, children),
        st.builds(lambda a, b: Call("max", (a, b)), children, children),
        st.builds(lambda a: Call("abs", (a,)), children),
    )


expressions = st.recursive(leaves, _extend, max_leaves=6)


class TestProperties:
    @settings(
        deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(expressions)
    def test_valid_expressions_evaluate_causally_and_run_nothing(
        self, small_market, tree
    ):
        text = unparse(tree)
        assert parse_expression(text) == tree
        # Numba compiles the indicator kernels on first use with exec() of its
        # own generated code; a warm run first keeps that out of the watch.
        MetricEngine(small_market, BASKETS).values(tree)
        engine = MetricEngine(small_market, BASKETS)
        engine.check(tree, text)
        _EVENTS.clear()
        _ACTIVE[0] = True
        try:
            values = engine.values(tree)
        finally:
            _ACTIVE[0] = False
        assert _EVENTS == []
        assert values.shape == (len(small_market.sessions),)
        assert values.dtype == np.float64
        assert not np.isinf(values).any()
        # Prefix invariance on a truncated market.
        t = 350
        cut = MetricEngine(small_market.truncate(small_market.sessions[t]), BASKETS)
        np.testing.assert_allclose(
            cut.values(tree), values[: t + 1], rtol=1e-12, atol=1e-12, equal_nan=True
        )
