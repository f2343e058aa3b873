from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.thesis import parse_rule, pillar_states
from rotation.thesis._state import _pillar_states, _pillar_states_py


def slow_states(values, rule_text, band, persistence):
    """Independent reference: statuses as strings, run counted by look-back."""
    rule = parse_rule(rule_text)

    def inside(v, widen):
        lo, hi = rule.low - widen, rule.high + widen
        ok_lo = v > lo if rule.op == ">" else v >= lo
        ok_hi = v < hi if rule.op == "<" else v <= hi
        return ok_lo and ok_hi

    out = []
    status = None
    proposals = []
    for v in values:
        if math.isnan(v):
            status = None
            proposals = []
            out.append(-1)
            continue
        if status is None:
            status = "holds" if inside(v, 0.0) else "fails"
            proposals = []
        else:
            widen = band if status == "holds" else 0.0
            proposal = "holds" if inside(v, widen) else "fails"
            proposals = [*proposals, proposal] if proposal != status else []
            if len(proposals) >= persistence:
                status = proposal
                proposals = []
        out.append(1 if status == "holds" else 0)
    return np.array(out)


class TestReference:
    def test_hand_example_hysteresis_and_persistence(self):
        v = np.array([np.nan, 0.5, 0.3, 0.45, 0.5, 0.5, 0.3, np.nan, 0.3])
        state, since = pillar_states(
            v, parse_rule("< 0.4"), hysteresis=0.1, min_persistence=2
        )
        # 0.3 at t=2 is one day of "holds" only: no flip (persistence 2).
        np.testing.assert_array_equal(state, [-1, 0, 0, 0, 0, 0, 0, -1, 1])
        np.testing.assert_array_equal(since, [0, 1, 1, 1, 1, 1, 1, 7, 8])

    def test_band_keeps_a_holding_pillar(self):
        v = np.array([0.3, 0.42, 0.49, 0.51, 0.3])
        state, _ = pillar_states(v, parse_rule("< 0.4"), hysteresis=0.1)
        # Holds while below 0.4 + 0.1; fails at 0.51; needs < 0.4 to hold again.
        np.testing.assert_array_equal(state, [1, 1, 1, 0, 1])

    def test_since_dates_from_start_of_run(self):
        v = np.array([1.0, 1.0, -1.0, -1.0, -1.0, -1.0])
        state, since = pillar_states(v, parse_rule("> 0"), min_persistence=3)
        np.testing.assert_array_equal(state, [1, 1, 1, 1, 0, 0])
        np.testing.assert_array_equal(since, [0, 0, 0, 0, 2, 2])

    def test_between_bounds_inclusive(self):
        v = np.array([3.5, 3.75, 3.76, 3.49])
        state, _ = pillar_states(v, parse_rule("between 3.5 3.75"))
        np.testing.assert_array_equal(state, [1, 1, 0, 0])

    @pytest.mark.parametrize(
        ("rule", "value", "expected"),
        [("< 0.4", 0.4, 0), ("<= 0.4", 0.4, 1), ("> 0", 0.0, 0), (">= 0", 0.0, 1)],
    )
    def test_strictness(self, rule, value, expected):
        state, _ = pillar_states(np.array([value]), parse_rule(rule))
        assert state[0] == expected


values_strategy = st.lists(
    st.one_of(st.floats(-2, 2, allow_nan=False), st.just(float("nan"))),
    min_size=1,
    max_size=80,
)
rules = st.sampled_from(["< 0.4", "<= 0", "> 0", ">= -0.5", "between -0.5 0.5"])


class TestProperties:
    @settings(deadline=None, max_examples=150)
    @given(values_strategy, rules, st.floats(0, 0.5), st.integers(1, 5))
    def test_matches_slow_reference(self, values, rule, band, persistence):
        v = np.array(values, dtype=float)
        state, _ = pillar_states(
            v, parse_rule(rule), hysteresis=band, min_persistence=persistence
        )
        np.testing.assert_array_equal(
            state, slow_states(values, rule, band, persistence)
        )

    @settings(deadline=None, max_examples=100)
    @given(values_strategy, rules, st.floats(0, 0.5), st.integers(1, 5))
    def test_numba_equals_python(self, values, rule, band, persistence):
        r = parse_rule(rule)
        v = np.array(values, dtype=float)
        args = (v, r.low, r.high, r.low_strict, r.high_strict, band, persistence)
        a = _pillar_states(*args)
        b = _pillar_states_py(*args)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


class TestNoLookAhead:
    @settings(deadline=None, max_examples=60)
    @given(values_strategy, rules, st.floats(0, 0.5), st.integers(1, 5), st.data())
    def test_prefix_and_perturbation(self, values, rule, band, persistence, data):
        v = np.array(values, dtype=float)
        r = parse_rule(rule)
        full, since = pillar_states(v, r, hysteresis=band, min_persistence=persistence)
        t = data.draw(st.integers(0, len(v) - 1))
        part, part_since = pillar_states(
            v[: t + 1], r, hysteresis=band, min_persistence=persistence
        )
        np.testing.assert_array_equal(part, full[: t + 1])
        np.testing.assert_array_equal(part_since, since[: t + 1])
        changed = v.copy()
        changed[t + 1 :] = -changed[t + 1 :] + 1.0
        again, _ = pillar_states(
            changed, r, hysteresis=band, min_persistence=persistence
        )
        np.testing.assert_array_equal(again[: t + 1], full[: t + 1])


class TestRule:
    def test_round_trip_text(self):
        for text in ("< 0.4", ">= -1.5", "between 3.5 3.75"):
            assert str(parse_rule(text)) == text
            assert parse_rule(str(parse_rule(text))) == parse_rule(text)

    def test_distance(self):
        assert parse_rule("< 0.4").distance(0.3) == pytest.approx(0.1)
        assert parse_rule("> 0").distance(-0.2) == pytest.approx(-0.2)
        assert parse_rule("between 3.5 3.75").distance(3.6) == pytest.approx(0.1)
        assert math.isnan(parse_rule("> 0").distance(float("nan")))

    @pytest.mark.parametrize("text", ["= 1", "<< 1", "between 1", "> x", "< inf", ""])
    def test_errors(self, text):
        with pytest.raises(ValueError, match="rule"):
            parse_rule(text)
