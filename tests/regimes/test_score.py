from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.regimes import causal_zscore, rotation_score


def _components(n: int = 800, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2005-01-03", periods=n)
    frame = pd.DataFrame(
        {
            "tangible_vs_tech": rng.normal(0, 0.05, n).cumsum() / 10,
            "small_vs_large": rng.normal(0, 0.03, n),
            "ai_correlation": 0.5 + rng.normal(0, 0.1, n),
        },
        index=index,
    )
    frame.iloc[:300, 1] = np.nan  # a component that starts later
    return frame


class TestReference:
    @pytest.mark.parametrize("window", [None, 300])
    @pytest.mark.parametrize("center", [True, False])
    def test_zscore_matches_loop(self, window: int | None, center: bool) -> None:
        x = _components()["tangible_vs_tech"]
        got = causal_zscore(x, window=window, min_observations=100, center=center)
        values = x.to_numpy()
        expected = np.full(len(values), np.nan)
        for t in range(len(values)):
            lo = 0 if window is None else max(0, t + 1 - window)
            history = values[lo : t + 1]
            if len(history) < 100:
                continue
            if center:
                expected[t] = (values[t] - history.mean()) / history.std(ddof=1)
            else:
                expected[t] = values[t] / np.sqrt((history**2).mean())
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-9, atol=1e-12)

    def test_score_is_weighted_mean_of_available_signed_zscores(self) -> None:
        comps = _components()
        weights = {
            "tangible_vs_tech": 0.5,
            "small_vs_large": 0.3,
            "ai_correlation": 0.2,
        }
        result = rotation_score(comps, weights=weights, min_observations=100)
        z = result.zscores
        for date in (comps.index[350], comps.index[700]):
            row = z.loc[date]
            num = 0.5 * row["tangible_vs_tech"] - 0.2 * row["ai_correlation"]
            den = 0.5 + 0.2
            if np.isfinite(row["small_vs_large"]):
                num += 0.3 * row["small_vs_large"]
                den += 0.3
            np.testing.assert_allclose(result.score.loc[date], num / den, rtol=1e-12)
        np.testing.assert_allclose(
            result.contributions.sum(axis=1, min_count=1).dropna(),
            result.score.dropna(),
            rtol=1e-12,
        )
        assert result.signs["ai_correlation"] == -1.0
        assert "Rotation score" in result.summary()


class TestProperties:
    @settings(deadline=None, max_examples=15)
    @given(scale=st.floats(0.01, 100.0), shift=st.floats(-5, 5))
    def test_centered_zscore_is_affine_invariant(
        self, scale: float, shift: float
    ) -> None:
        x = _components()["ai_correlation"]
        a = causal_zscore(x, min_observations=50)
        b = causal_zscore(x * scale + shift, min_observations=50)
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6, atol=1e-8)

    def test_dataframe_and_series_agree(self) -> None:
        comps = _components()
        frame = causal_zscore(comps, min_observations=50)
        for column in comps.columns:
            pd.testing.assert_series_equal(
                frame[column], causal_zscore(comps[column], min_observations=50)
            )


class TestNoLookAhead:
    def test_prefix_and_future_changes(self) -> None:
        comps = _components()
        full = rotation_score(comps, min_observations=100)
        part = rotation_score(comps.iloc[:500], min_observations=100)
        pd.testing.assert_series_equal(part.score, full.score.iloc[:500])
        altered = comps.copy()
        altered.iloc[500:] = 99.0
        other = rotation_score(altered, min_observations=100)
        pd.testing.assert_frame_equal(
            other.contributions.iloc[:500], full.contributions.iloc[:500]
        )


class TestErrors:
    def test_bad_inputs(self) -> None:
        comps = _components()
        with pytest.raises(KeyError, match="not columns"):
            rotation_score(comps, weights={"copper": 1.0})
        with pytest.raises(ValueError, match="weights must be finite and >= 0"):
            rotation_score(comps, weights={"small_vs_large": -1.0})
        with pytest.raises(ValueError, match="signs must be"):
            rotation_score(comps, signs={"small_vs_large": 2.0})
        with pytest.raises(ValueError, match="window .* must be >= min_observations"):
            causal_zscore(comps, window=10, min_observations=100)
        with pytest.raises(TypeError, match="components must be a DataFrame"):
            rotation_score(comps["small_vs_large"])  # type: ignore[arg-type]
