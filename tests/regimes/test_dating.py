"""Ex-post (hindsight) dating of rotation phases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.regimes import date_phases


def _spread(drifts: list[tuple[float, int]], noise: float = 0.0) -> pd.Series:
    values = np.concatenate([np.full(n, d) for d, n in drifts])
    if noise:
        values = values + np.random.default_rng(42).normal(0.0, noise, values.size)
    return pd.Series(values, index=pd.bdate_range("2001-01-01", periods=values.size))


class TestReference:
    def test_turning_points_of_a_hand_made_path(self) -> None:
        # log index rises 300 x 0.002, falls 200 x 0.002, rises 300 x 0.002:
        # a peak at session 299 and a trough at session 499 (0-based).
        spread = np.expm1(_spread([(0.002, 300), (-0.002, 200), (0.002, 300)]))
        dating = date_phases(spread)
        points = dating.turning_points
        assert points["kind"].tolist() == ["peak", "trough"]
        assert points["date"].tolist() == [spread.index[299], spread.index[499]]
        phases = dating.phases
        assert phases["phase"].tolist() == ["rotation", "tech_leadership", "rotation"]
        assert phases["complete"].tolist() == [False, True, False]
        middle = phases.iloc[1]
        assert (middle.start, middle.end) == (spread.index[300], spread.index[499])
        np.testing.assert_allclose(
            middle.spread_return, np.prod(1.0 + spread.iloc[300:500]) - 1.0, rtol=1e-12
        )
        # only the complete phase is dated session by session
        assert dating.phase.notna().sum() == 200
        assert dating.hindsight is True

    def test_a_short_shallow_dip_is_not_a_phase(self) -> None:
        # a 12% fall over 40 sessions inside a long rise: under min_phase (84)
        # and under the 20% waiver, so it is censored.
        spread = _spread([(0.003, 300), (-0.003, 40), (0.003, 300), (-0.003, 300)])
        dating = date_phases(spread)
        assert dating.turning_points["kind"].tolist() == ["peak"]
        fast = date_phases(spread, min_phase=20, min_cycle=40)
        assert fast.turning_points["kind"].tolist() == ["peak", "trough", "peak"]

    def test_a_deep_short_move_is_kept_by_the_waiver(self) -> None:
        spread = _spread([(0.003, 300), (-0.008, 40), (0.003, 300), (-0.003, 300)])
        kinds = date_phases(spread, min_cycle=40).turning_points["kind"].tolist()
        assert kinds == ["peak", "trough", "peak"]


class TestProperties:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_rules_hold_on_noisy_paths(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        drift = np.repeat(rng.choice([-0.002, 0.002], 12), 250)
        spread = pd.Series(
            rng.normal(drift, 0.01), index=pd.bdate_range("1990-01-01", periods=3000)
        )
        dating = date_phases(spread)
        points = dating.turning_points
        kinds = points["kind"].tolist()
        assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
        level = np.log1p(spread).cumsum()
        positions = [spread.index.get_loc(d) for d in points["date"]]
        for i in range(len(positions) - 1):
            move = abs(level.iloc[positions[i + 1]] - level.iloc[positions[i]])
            length = positions[i + 1] - positions[i]
            assert move >= 0.10
            assert length >= 84 or move >= 0.20
        # each peak is the highest point between its neighbouring troughs
        for i, kind in enumerate(kinds):
            lo = positions[i - 1] + 1 if i else 1
            hi = positions[i + 1] if i + 1 < len(positions) else len(level)
            segment = level.iloc[lo:hi]
            extreme = segment.max() if kind == "peak" else segment.min()
            assert level.iloc[positions[i]] == extreme


class TestErrors:
    def test_gap_raises(self) -> None:
        spread = _spread([(0.001, 100)])
        spread.iloc[50] = np.nan
        with pytest.raises(ValueError, match="missing or non-finite"):
            date_phases(spread)

    def test_bad_amplitude(self) -> None:
        with pytest.raises(ValueError, match="min_amplitude"):
            date_phases(_spread([(0.001, 100)]), min_amplitude=0.0)
