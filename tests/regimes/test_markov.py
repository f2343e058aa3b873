from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rotation.regimes import (
    MarkovRegimes,
    MarkovRegimesResult,
    RegimeConvergenceWarning,
    hamilton_filter,
    regime_labels,
)


def _spread(n: int = 2600, seed: int = 42) -> pd.Series:
    """Daily spread with alternating calm/negative and volatile/positive spells."""
    rng = np.random.default_rng(seed)
    spell = (np.arange(n) // 400) % 2
    values = rng.normal(
        np.where(spell == 1, 0.002, -0.001), np.where(spell == 1, 0.012, 0.005)
    )
    return pd.Series(
        values, index=pd.bdate_range("2001-01-01", periods=n), name="spread"
    )


def _fit(spread: pd.Series, **kwargs: object) -> MarkovRegimes:
    params: dict[str, object] = {"refit": "Q", "min_observations": 60}
    params.update(kwargs)
    return MarkovRegimes(**params).fit(spread)  # type: ignore[arg-type]


class TestReference:
    def test_probabilities_equal_filter_with_the_fit_in_force(self) -> None:
        spread = _spread()
        model = _fit(spread)
        blocks = (
            spread.to_numpy()[: len(spread) // 5 * 5].reshape(-1, 5).sum(axis=1) * 100
        )
        np.testing.assert_allclose(model.observations_.to_numpy(), blocks, rtol=1e-12)
        last = model.fits_.iloc[-1]
        labels = model.labels_
        transition = np.empty((2, 2))
        # Rebuild the last fit's transition matrix from the stay probabilities.
        transition[0, 0] = last[f"stay_{labels[0]}"]
        transition[1, 1] = last[f"stay_{labels[1]}"]
        transition[1, 0] = 1 - transition[0, 0]
        transition[0, 1] = 1 - transition[1, 1]
        means = np.array([last[f"mean_{label}"] for label in labels])
        variances = np.array([last[f"variance_{label}"] for label in labels])
        initial = np.array([last[f"initial_{label}"] for label in labels])
        filtered, _ = hamilton_filter(
            blocks, transition, means, variances, initial=initial
        )
        refit_block = int(np.flatnonzero(model.observations_.index == last["date"])[0])
        expected = filtered[refit_block:]
        got = model.filtered_probabilities_.loc[model.observations_.index[refit_block:]]
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-10)

    def test_labels_follow_mean_order(self) -> None:
        model = _fit(_spread())
        fits = model.fits_[model.fits_["in_use"]]
        assert (fits["mean_rotation"] >= fits["mean_tech_leadership"]).all()
        # The simulated volatile/positive spells are labelled rotation.
        regime = model.regime_
        assert (regime.loc["2003-06":"2004-01"] == "rotation").mean() > 0.8
        assert (regime.loc["2005-01":"2005-06"] == "tech_leadership").mean() > 0.8

    def test_statsmodels_engine_agrees_with_em(self) -> None:
        spread = _spread()
        em = _fit(spread, refit="Y", min_observations=200)
        sm = _fit(spread, refit="Y", min_observations=200, engine="statsmodels")
        # Two fitters of one model. statsmodels ties the first regime's
        # probability to the steady state, EM estimates it: EM's maximum is at
        # least as high and the probabilities agree to about 1%.
        assert (em.fits_["log_likelihood"] >= sm.fits_["log_likelihood"] - 1e-6).all()
        both = em.filtered_probabilities_.dropna().index
        diff = (
            em.filtered_probabilities_.loc[both] - sm.filtered_probabilities_.loc[both]
        ).abs()
        assert diff.to_numpy().mean() < 0.02
        np.testing.assert_allclose(
            em.fits_["mean_rotation"], sm.fits_["mean_rotation"], atol=0.05
        )

    @pytest.mark.parametrize("n_regimes", [2, 3])
    def test_probabilities_are_distributions(self, n_regimes: int) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RegimeConvergenceWarning)
            model = _fit(_spread(), n_regimes=n_regimes)
        probs = model.filtered_probabilities_.dropna()
        assert list(probs.columns) == list(regime_labels(n_regimes))
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
        assert ((probs >= 0) & (probs <= 1)).all().all()


class TestNoLookAhead:
    @pytest.mark.parametrize("cut", [700, 1333, 2001])
    def test_refit_on_data_cut_at_t_gives_same_output_at_t(self, cut: int) -> None:
        spread = _spread()
        full = _fit(spread)
        part = _fit(spread.iloc[:cut])
        pd.testing.assert_frame_equal(
            part.filtered_probabilities_,
            full.filtered_probabilities_.iloc[:cut],
            rtol=1e-10,
            atol=1e-12,
        )

    def test_changing_data_after_t_leaves_output_up_to_t(self) -> None:
        spread = _spread()
        cut = 1500
        altered = spread.copy()
        altered.iloc[cut:] = np.random.default_rng(0).normal(
            0.01, 0.05, len(spread) - cut
        )
        a = _fit(spread).filtered_probabilities_.iloc[:cut]
        b = _fit(altered).filtered_probabilities_.iloc[:cut]
        pd.testing.assert_frame_equal(a, b, rtol=1e-10, atol=1e-12)

    def test_rolling_window_prefix_invariance(self) -> None:
        spread = _spread()
        full = _fit(spread, window=120, refit=26)
        part = _fit(spread.iloc[:1800], window=120, refit=26)
        pd.testing.assert_frame_equal(
            part.filtered_probabilities_,
            full.filtered_probabilities_.iloc[:1800],
            rtol=1e-10,
            atol=1e-12,
        )

    def test_sessions_inside_a_block_carry_the_last_completed_block(self) -> None:
        spread = _spread()
        model = _fit(spread)
        probs = model.filtered_probabilities_["rotation"]
        block_ends = model.observations_.index
        position = spread.index.get_loc(block_ends[200])
        for offset in range(1, 5):
            np.testing.assert_allclose(
                probs.iloc[position + offset], probs.iloc[position], rtol=0, atol=0
            )


class TestConvergence:
    def test_failed_refits_are_reported_and_last_good_fit_kept(self) -> None:
        spread = _spread()
        good = _fit(spread, max_iterations=500)
        with pytest.warns(RegimeConvergenceWarning, match="did not converge"):
            starved = _fit(spread, max_iterations=2)
        fits = starved.fits_
        assert not fits["converged"].all()
        assert (fits["in_use"] == fits["converged"]).all()
        assert "did not converge" in fits.loc[~fits["converged"], "message"].iloc[0]
        # No crash, and before the first good fit there is no probability.
        first_good = fits.loc[fits["in_use"], "date"]
        if len(first_good):
            before = starved.filtered_probabilities_.loc[: first_good.iloc[0]].iloc[:-1]
            assert before.isna().all().all()
        assert good.fits_["converged"].all()

    def test_summary_and_result(self) -> None:
        model = _fit(_spread())
        result = model.result_
        assert isinstance(result, MarkovRegimesResult)
        text = result.summary()
        assert "filtered probabilities" in text
        assert result.current["regime"] in model.labels_
        np.testing.assert_allclose(
            sum(result.current["probabilities"].values()), 1.0, atol=1e-12
        )
        with pytest.raises(AttributeError):
            object.__setattr__  # noqa: B018 (frozen dataclass guard below)
            result.labels = ("x",)  # type: ignore[misc]


class TestErrors:
    def test_too_short(self) -> None:
        with pytest.raises(ValueError, match="min_observations=60"):
            _fit(_spread(100))

    def test_gap_inside_series(self) -> None:
        spread = _spread()
        spread.iloc[500] = np.nan
        with pytest.raises(ValueError, match="missing or non-finite value at"):
            _fit(spread)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"n_regimes": 4}, "n_regimes must be 2 or 3"),
            ({"refit": "D"}, "refit must be one of"),
            ({"window": 10}, "window must be 'expanding' or an integer >= min_obs"),
            ({"engine": "hmmlearn"}, "engine must be 'em' or 'statsmodels'"),
            ({"sampling_interval": 0}, "sampling_interval must be >= 1"),
        ],
    )
    def test_bad_parameters(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            _fit(_spread(), **kwargs)

    def test_not_a_series(self) -> None:
        with pytest.raises(TypeError, match="spread_returns must be a pandas Series"):
            MarkovRegimes().fit(np.zeros(1000))  # type: ignore[arg-type]
