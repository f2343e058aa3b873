from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.covariance as skc
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.risk import (
    OAS,
    EWMACovariance,
    LedoitWolf,
    SampleCovariance,
    covariance,
    ledoit_wolf_shrinkage,
)


def _data(n: int, p: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(p, p)) / np.sqrt(p)
    return rng.standard_t(5, (n, p)) @ mix * 0.01 + 0.001


class TestReference:
    # Same formula as scikit-learn, computed along a different route (one
    # matrix product instead of two): agreement to rounding, 1e-10.
    @pytest.mark.parametrize(("n", "p"), [(50, 5), (40, 60), (300, 30), (2, 3)])
    @pytest.mark.parametrize("centered", [False, True])
    def test_ledoit_wolf_matches_sklearn(self, n, p, centered):
        X = _data(n, p)
        ours = LedoitWolf(assume_centered=centered).fit(X)
        ref = skc.LedoitWolf(assume_centered=centered).fit(X)
        np.testing.assert_allclose(
            ours.shrinkage_, ref.shrinkage_, rtol=1e-10, atol=1e-14
        )
        np.testing.assert_allclose(
            ours.covariance_, ref.covariance_, rtol=1e-10, atol=1e-16
        )
        np.testing.assert_allclose(ours.location_, ref.location_, rtol=1e-12)
        assert ledoit_wolf_shrinkage(X, assume_centered=centered) == pytest.approx(
            skc.ledoit_wolf_shrinkage(X, assume_centered=centered), rel=1e-10, abs=1e-14
        )

    def test_ledoit_wolf_one_asset_matches_sklearn(self):
        X = _data(100, 1)
        ours = LedoitWolf().fit(X)
        ref = skc.LedoitWolf().fit(X)
        assert ours.shrinkage_ == 0.0
        np.testing.assert_allclose(ours.covariance_, ref.covariance_, rtol=1e-12)

    @pytest.mark.parametrize(("n", "p"), [(50, 5), (40, 60), (300, 30)])
    def test_oas_matches_sklearn(self, n, p):
        X = _data(n, p, seed=3)
        ours, ref = OAS().fit(X), skc.OAS().fit(X)
        np.testing.assert_allclose(ours.shrinkage_, ref.shrinkage_, rtol=1e-10)
        np.testing.assert_allclose(
            ours.covariance_, ref.covariance_, rtol=1e-10, atol=1e-16
        )

    @pytest.mark.parametrize("ddof", [0, 1])
    def test_sample_matches_numpy(self, ddof):
        X = _data(120, 7)
        ours = SampleCovariance(ddof=ddof).fit(X).covariance_
        np.testing.assert_allclose(ours, np.cov(X, rowvar=False, ddof=ddof), rtol=1e-12)

    @pytest.mark.parametrize("half_life", [5.0, 30.0])
    def test_ewma_matches_pandas(self, half_life):
        # pandas ewm(halflife=h, adjust=True) weighs x_{T-i} by (1-alpha)^i with
        # 1 - alpha = 2^(-1/h), and cov(bias=True) is sum w xy / sum w - means:
        # the same estimator. pandas uses an online recursion, so 1e-8.
        X = _data(200, 3)
        frame = pd.DataFrame(X, columns=list("abc"))
        ref = frame.ewm(halflife=half_life, adjust=True).cov(bias=True).loc[199]
        ours = EWMACovariance(half_life=half_life).fit(X).covariance_
        np.testing.assert_allclose(ours, ref.to_numpy(), rtol=1e-8, atol=1e-15)

    def test_ewma_matches_weighted_loop(self):
        X = _data(60, 3)
        lam = 0.5 ** (1 / 10)
        w = np.array([lam ** (59 - t) for t in range(60)])
        mean = sum(w[t] * X[t] for t in range(60)) / w.sum()
        expected = sum(w[t] * np.outer(X[t] - mean, X[t] - mean) for t in range(60))
        ours = EWMACovariance(half_life=10).fit(X).covariance_
        np.testing.assert_allclose(ours, expected / w.sum(), rtol=1e-10)


class TestProperties:
    @settings(deadline=None, max_examples=25)
    @given(
        n=st.integers(5, 80),
        p=st.integers(2, 12),
        seed=st.integers(0, 10_000),
        scale=st.floats(1e-3, 1e3),
    )
    def test_shrinkage_bounds_psd_and_scale_invariance(self, n, p, seed, scale):
        X = _data(n, p, seed)
        for est in (LedoitWolf(), OAS()):
            fitted = est.fit(X)
            assert 0.0 <= fitted.shrinkage_ <= 1.0
            cov = fitted.covariance_
            np.testing.assert_allclose(cov, cov.T, rtol=0, atol=1e-18)
            assert np.linalg.eigvalsh(cov).min() >= -1e-12 * np.abs(cov).max()
            scaled = type(est)().fit(X * scale)
            np.testing.assert_allclose(
                scaled.shrinkage_, fitted.shrinkage_, rtol=1e-8, atol=1e-12
            )
            np.testing.assert_allclose(
                scaled.covariance_, cov * scale**2, rtol=1e-8, atol=1e-20 * scale**2
            )

    def test_frame_and_array_agree(self, asset_returns):
        for method in ("sample", "ewma", "ledoit_wolf", "oas"):
            frame = covariance(asset_returns, method=method)
            assert list(frame.columns) == list(asset_returns.columns)
        array = LedoitWolf().fit(asset_returns.to_numpy()).covariance_
        np.testing.assert_allclose(
            covariance(asset_returns).to_numpy(), array, rtol=1e-14
        )

    def test_translation_invariance(self, asset_returns):
        shifted = asset_returns + 0.05
        for method in ("sample", "ewma", "ledoit_wolf", "oas"):
            np.testing.assert_allclose(
                covariance(shifted, method=method).to_numpy(),
                covariance(asset_returns, method=method).to_numpy(),
                rtol=1e-7,
                atol=1e-15,
            )


class TestNoLookAhead:
    @pytest.mark.parametrize("method", ["sample", "ewma", "ledoit_wolf", "oas"])
    def test_as_of_equals_truncation_and_ignores_future(self, asset_returns, method):
        t = asset_returns.index[500]
        full = covariance(asset_returns, method=method, as_of=t, window=250)
        cut = covariance(asset_returns.loc[:t], method=method, window=250)
        pd.testing.assert_frame_equal(full, cut, rtol=1e-12)
        changed = asset_returns.copy()
        changed.iloc[501:] = changed.iloc[501:] * 10 + 0.3
        after = covariance(changed, method=method, as_of=t, window=250)
        pd.testing.assert_frame_equal(after, full, rtol=1e-12)

    def test_ewma_streaming_equals_batch(self, asset_returns):
        X = asset_returns.to_numpy()
        stream = EWMACovariance(half_life=20)
        for chunk in np.array_split(X, [1, 50, 51, 400]):
            stream.partial_fit(chunk)
        batch = EWMACovariance(half_life=20).fit(X)
        np.testing.assert_allclose(stream.covariance_, batch.covariance_, rtol=1e-10)
        np.testing.assert_allclose(stream.location_, batch.location_, rtol=1e-10)
        assert stream.n_observations_ == len(X)

    def test_ewma_centered_streaming_equals_batch(self, asset_returns):
        X = asset_returns.to_numpy()
        stream = EWMACovariance(half_life=10, assume_centered=True)
        for row in X[:30]:
            stream.partial_fit(row)
        batch = EWMACovariance(half_life=10, assume_centered=True).fit(X[:30])
        np.testing.assert_allclose(stream.covariance_, batch.covariance_, rtol=1e-10)


class TestErrors:
    def test_nan_raises_unless_dropped(self, asset_returns):
        holed = asset_returns.copy()
        holed.iloc[3, 2] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            covariance(holed)
        dropped = covariance(holed, nan_policy="drop")
        expected = covariance(asset_returns.drop(asset_returns.index[3]))
        pd.testing.assert_frame_equal(dropped, expected, rtol=1e-12)

    def test_bad_parameters(self, asset_returns):
        with pytest.raises(ValueError, match="method must be one of"):
            covariance(asset_returns, method="robust")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="half_life must be positive"):
            EWMACovariance(half_life=-1).fit(asset_returns)
        with pytest.raises(ValueError, match="window must be an integer >= 2"):
            covariance(asset_returns, window=1)
        with pytest.raises(ValueError, match="nan_policy"):
            covariance(asset_returns, nan_policy="fill")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="DataFrame"):
            covariance(asset_returns.to_numpy())  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least 2 observations"):
            LedoitWolf().fit(np.ones((1, 3)))
        with pytest.raises(ValueError, match="columns"):
            EWMACovariance().fit(asset_returns).partial_fit(np.ones((2, 3)))
