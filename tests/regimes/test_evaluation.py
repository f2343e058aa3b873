"""Scores of a filtered P(rotation) against the realised spread and the dating."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.regimes import date_phases, reliability_curve, score_rotation_signal


def _case() -> tuple[pd.Series, pd.Series]:
    # Spread: rise 300, fall 300, rise 300 sessions (hand-made, no noise).
    index = pd.bdate_range("2001-01-01", periods=900)
    spread = pd.Series(np.repeat([0.002, -0.002, 0.002], 300), index=index)
    # A label 10 sessions late at each turn.
    p = np.concatenate([[1.0] * 310, [0.0] * 300, [1.0] * 290])
    return pd.Series(p, index=index), spread


def test_scores_of_a_hand_made_case() -> None:
    probability, spread = _case()
    dating = date_phases(spread)
    scores = score_rotation_signal(
        probability, spread, dating, start="2001", end="2005", climatology=0.4
    )
    # Episodes: rotation 0..309 (+0.2*300 - 0.2*10 ... > 0), tech 310..609,
    # rotation 610..899: every episode's realised spread has its sign.
    assert scores.n_episodes == 3 and scores.episodes_agree == 1.0
    assert scores.sessions_agree == 1.0
    # One complete phase (tech 300..599): its label arrives at session 310.
    assert scores.n_phases == 1 and scores.median_delay == 10.0
    # Brier on the 300 dated sessions: 10 wrong sessions of 300.
    np.testing.assert_allclose(scores.brier, 10 / 300, rtol=1e-12)
    np.testing.assert_allclose(scores.brier_climatology, 0.4**2, rtol=1e-12)
    assert scores.false_alarms_per_decade == 0.0


def test_a_wrong_label_disagrees_and_is_a_false_alarm() -> None:
    probability, spread = _case()
    flipped = 1.0 - probability
    scores = score_rotation_signal(
        flipped, spread, date_phases(spread), start="2001", end="2005",
        climatology=0.5,
    )  # fmt: skip
    assert scores.episodes_agree == 0.0
    # the flipped label reads tech on the phase's first 10 sessions: delay 0
    assert scores.missed_phases == 0 and scores.median_delay == 0.0
    assert scores.false_alarms_per_decade > 0
    assert scores.next_day_difference < 0


def test_reliability_curve_bins() -> None:
    p = pd.Series([0.05, 0.05, 0.55, 0.95, 1.0])
    y = pd.Series([0.0, 1.0, 1.0, 1.0, 0.0])
    curve = reliability_curve(p, y)
    assert curve["bin"].tolist() == ["0.0-0.1", "0.5-0.6", "0.9-1.0"]
    np.testing.assert_allclose(curve["observed"], [0.5, 1.0, 0.5], rtol=1e-12)
    assert curve["sessions"].tolist() == [2, 1, 2]
