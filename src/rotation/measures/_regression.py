"""Least squares with Newey-West (HAC) standard errors, in numpy.

The factor exposures of the risk part and the regime scores regress returns
on a few columns: a closed form of a few matrix products. statsmodels computes
the same numbers (``OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L})``,
the reference in ``tests/measures/test_regression.py``), but importing it
(with scipy.stats) costs ~0.6 s of every report process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation._normal import normal_cdf

__all__ = ["RegressionFit", "ols_hac"]


@dataclass(frozen=True)
class RegressionFit:
    """An OLS fit with HAC standard errors.

    Attributes
    ----------
    params, bse, tvalues, pvalues : Series
        Coefficients, their Newey-West standard errors, t statistics and
        two-sided p-values (normal reference, as for any robust covariance).
    rsquared, rsquared_adj : float
        Centred :math:`R^2` (the design holds a constant) and its
        degrees-of-freedom adjustment.
    nobs : int
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    rsquared: float
    rsquared_adj: float
    nobs: int


def ols_hac(y: pd.Series, design: pd.DataFrame, *, maxlags: int) -> RegressionFit:
    r"""Regress ``y`` on ``design`` by OLS, with Newey-West standard errors.

    Parameters
    ----------
    y : Series of shape (n,)
    design : DataFrame of shape (n, k)
        Regressors, a constant column included (the caller adds it).
    maxlags : int
        Newey-West lags :math:`L` (>= 0).

    Returns
    -------
    RegressionFit
        Indexed by ``design``'s columns.

    Notes
    -----
    .. math::

        \hat\beta = X^+ y, \quad
        \hat V = (X'X)^{-1} \Big[\sum_{l=-L}^{L} w_l \sum_t x_t u_t u_{t-l}
        x_{t-l}'\Big] (X'X)^{-1}, \quad w_l = 1 - \frac{|l|}{L + 1}

    (Bartlett weights, no small-sample correction: statsmodels' default for
    ``cov_type="HAC"``), with :math:`(X'X)^{-1}` taken as :math:`X^+ X^{+\prime}`
    so that a rank-deficient design (two identical factors) gives a result,
    as statsmodels does. p-values are :math:`2 \Phi(-|t|)`; :math:`R^2` is NaN
    when ``y`` is constant.

    NaN handling: none; the caller drops incomplete rows.
    """
    X = design.to_numpy(dtype=np.float64)
    target = y.to_numpy(dtype=np.float64)
    n, k = X.shape
    pseudo_inverse = np.linalg.pinv(X)
    beta = pseudo_inverse @ target
    resid = target - X @ beta
    scores = X * resid[:, None]
    meat = scores.T @ scores
    for lag in range(1, int(maxlags) + 1):
        cross = scores[lag:].T @ scores[: n - lag]
        meat += (1.0 - lag / (maxlags + 1.0)) * (cross + cross.T)
    bread = pseudo_inverse @ pseudo_inverse.T
    bse = np.sqrt(np.diag(bread @ meat @ bread))
    with np.errstate(divide="ignore", invalid="ignore"):
        tvalues = beta / bse
    centred = target - target.mean()
    total = float(centred @ centred)
    flat = total <= n * (np.finfo(np.float64).eps * float(target.mean())) ** 2
    rsquared = math.nan if flat else 1.0 - float(resid @ resid) / total
    rank = int(np.linalg.matrix_rank(X))
    columns = design.columns
    return RegressionFit(
        params=pd.Series(beta, index=columns),
        bse=pd.Series(bse, index=columns),
        tvalues=pd.Series(tvalues, index=columns),
        pvalues=pd.Series(2.0 * normal_cdf(-np.abs(tvalues)), index=columns),
        rsquared=rsquared,
        rsquared_adj=1.0 - (n - 1) / (n - rank) * (1.0 - rsquared)
        if n > rank
        else math.nan,
        nobs=n,
    )
