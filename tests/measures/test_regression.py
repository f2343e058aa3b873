"""ols_hac and the scipy.special distributions against statsmodels and scipy.stats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS

from rotation._normal import chi2_sf, normal_cdf, normal_pdf, normal_ppf
from rotation.measures import ols_hac
from rotation.measures._sharpe_inference import _skew_kurtosis


@pytest.fixture(scope="module")
def data() -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(3)
    n = 700
    X = pd.DataFrame(rng.normal(0, 0.01, (n, 3)), columns=["a", "b", "c"])
    noise = rng.normal(0, 0.004, n)
    noise[1:] += 0.5 * noise[:-1]  # autocorrelated: the HAC lags matter
    y = pd.Series(0.0003 + X.to_numpy() @ [0.8, -0.3, 0.2] + noise)
    design = pd.concat([pd.Series(1.0, index=X.index, name="const"), X], axis=1)
    return y, design


@pytest.mark.parametrize("lags", [0, 1, 6, 20])
def test_ols_hac_equals_statsmodels(data, lags):
    y, design = data
    ours = ols_hac(y, design, maxlags=lags)
    ref = OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    for name in ("params", "bse", "tvalues", "pvalues"):
        pd.testing.assert_series_equal(
            getattr(ours, name), getattr(ref, name), rtol=1e-10, check_names=False
        )
    assert ours.rsquared == pytest.approx(ref.rsquared, rel=1e-12)
    assert ours.rsquared_adj == pytest.approx(ref.rsquared_adj, rel=1e-12)
    assert ours.nobs == ref.nobs


def test_a_rank_deficient_design_and_a_flat_target(data):
    y, design = data
    twice = design.assign(a2=design["a"])  # two identical factors
    ours = ols_hac(y, twice, maxlags=3)
    ref = OLS(y, twice).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    pd.testing.assert_series_equal(ours.params, ref.params, rtol=1e-8)
    pd.testing.assert_series_equal(ours.bse, ref.bse, rtol=1e-8)
    flat = ols_hac(pd.Series(0.01, index=y.index), design, maxlags=3)
    assert np.isnan(flat.rsquared)
    np.testing.assert_allclose(flat.params.to_numpy(), [0.01, 0, 0, 0], atol=1e-12)


def test_distributions_equal_scipy_stats():
    x = np.linspace(-8, 8, 161)
    q = np.r_[1e-12, np.linspace(0.001, 0.999, 99), 1 - 1e-12]
    np.testing.assert_allclose(normal_pdf(x), stats.norm.pdf(x), rtol=1e-13)
    np.testing.assert_allclose(normal_cdf(x), stats.norm.cdf(x), rtol=1e-13)
    np.testing.assert_allclose(normal_ppf(q), stats.norm.ppf(q), rtol=1e-13)
    chi = np.linspace(0, 40, 81)
    for df in (1, 2, 5):
        np.testing.assert_allclose(chi2_sf(chi, df), stats.chi2.sf(chi, df), rtol=1e-12)


def test_moments_equal_scipy_stats():
    r = np.random.default_rng(4).standard_t(4, 500) * 0.01
    skew, kurt = _skew_kurtosis(r)
    assert skew == pytest.approx(stats.skew(r, bias=True), rel=1e-12)
    assert kurt == pytest.approx(stats.kurtosis(r, fisher=False, bias=True), rel=1e-12)
    assert all(np.isnan(_skew_kurtosis(np.full(10, 0.01))))
