"""Hysteresis is visible: "holds (flip pending 4/5)" on every surface."""

from __future__ import annotations

import numpy as np
import pytest

from rotation.analysis._thesis_check import status_text
from rotation.thesis import pillar_states
from rotation.thesis._rule import parse_rule
from tests.conftest import make_analysis


def test_pending_flip_is_shown_as_of_the_day(market):
    # tangible_leads_tech (min_persistence 5) broke its rule on 2026-04-30;
    # as of 2026-05-06 four sessions in a row proposed "fails"
    check = make_analysis(market, as_of="2026-05-06").thesis_check
    pillar = {p.id: p for p in check.pillars}["tangible_leads_tech"]
    assert (pillar.status, pillar.pending, pillar.persistence) == ("holds", 4, 5)
    assert pillar.status_text == "holds (flip pending 4/5)"


def test_pending_is_causal_and_matches_the_python_kernel():
    rng = np.random.default_rng(7)
    values = np.cumsum(rng.normal(size=400)) / 10
    values[50:55] = np.nan
    rule = parse_rule("> 0")
    fast = pillar_states(
        values, rule, hysteresis=0.05, min_persistence=4, with_pending=True
    )
    slow = pillar_states(
        values,
        rule,
        hysteresis=0.05,
        min_persistence=4,
        with_pending=True,
        use_numba=False,
    )
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
    pending = fast[2]
    assert pending.max() <= 3 and pending.min() == 0
    cut = pillar_states(
        values[:200], rule, hysteresis=0.05, min_persistence=4, with_pending=True
    )
    np.testing.assert_array_equal(cut[2], pending[:200])  # no look-ahead


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("holds", 0.1, 0, 5), "holds"),
        (("holds", -0.01, 0, 5), "holds (inside hysteresis band)"),
        (("holds", -0.01, 2, 5), "holds (flip pending 2/5)"),
        (("fails", 0.02, 1, 3), "fails (flip pending 1/3)"),
        (("no_data", float("nan"), 0, 1), "no data"),
    ],
)
def test_status_text(args, text):
    assert status_text(*args) == text
