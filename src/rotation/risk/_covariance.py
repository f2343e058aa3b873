"""Covariance estimators behind one interface: sample, EWMA, Ledoit-Wolf, OAS."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from rotation._typing import DateLike, FloatArray
from rotation.risk._validation import as_2d_float, check_positive_int

__all__ = [
    "OAS",
    "CovarianceMethod",
    "EWMACovariance",
    "LedoitWolf",
    "SampleCovariance",
    "covariance",
    "ledoit_wolf_shrinkage",
]

CovarianceMethod = Literal["sample", "ewma", "ledoit_wolf", "oas"]


class _BaseCovariance:
    """Shared fit plumbing; subclasses implement ``_estimate``."""

    covariance_: FloatArray
    location_: FloatArray
    n_features_in_: int
    n_observations_: int
    feature_names_in_: FloatArray | None
    _min_observations = 2

    def fit(self, X: Any, y: None = None) -> Any:
        """Estimate the covariance of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_observations, n_assets)
            Returns. A DataFrame's column names are kept in
            ``feature_names_in_``.
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self
        """
        names = getattr(X, "columns", None)
        self.feature_names_in_ = (
            None if names is None else np.asarray(names, dtype=object)
        )
        array = as_2d_float(X, "X", minimum=self._min_observations)
        self.n_features_in_ = array.shape[1]
        self.n_observations_ = array.shape[0]
        self._estimate(array)
        return self

    def _estimate(self, X: FloatArray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def covariance_frame(self) -> pd.DataFrame:
        """Return ``covariance_`` as a DataFrame labelled by asset."""
        names = (
            self.feature_names_in_
            if self.feature_names_in_ is not None
            else np.arange(self.n_features_in_)
        )
        return pd.DataFrame(self.covariance_, index=names, columns=names)


class SampleCovariance(_BaseCovariance):
    r"""Sample covariance with a chosen degrees-of-freedom correction.

    Parameters
    ----------
    ddof : int, default 1
        Divisor is ``n_observations - ddof`` (1: unbiased, as ``numpy.cov``
        and ``DataFrame.cov``; 0: maximum likelihood, as scikit-learn's
        ``EmpiricalCovariance``).

    Attributes
    ----------
    covariance_ : ndarray of shape (n_assets, n_assets)
    location_ : ndarray of shape (n_assets,)
        Sample mean.
    n_features_in_, n_observations_ : int

    Notes
    -----
    .. math:: \hat\Sigma = \frac{1}{T - \mathrm{ddof}}
              \sum_t (x_t - \bar x)(x_t - \bar x)^\top

    NaN handling: raises on NaN; drop incomplete rows first.
    """

    def __init__(self, *, ddof: int = 1) -> None:
        self.ddof = ddof

    def _estimate(self, X: FloatArray) -> None:
        ddof = check_positive_int(self.ddof, "ddof", minimum=0)
        if X.shape[0] <= ddof:
            raise ValueError(
                f"need more than ddof={ddof} observations (got {X.shape[0]})."
            )
        self.location_ = X.mean(axis=0)
        centred = X - self.location_
        self.covariance_ = (centred.T @ centred) / (X.shape[0] - ddof)


class EWMACovariance(_BaseCovariance):
    r"""Exponentially weighted covariance with a half-life, streamable.

    Parameters
    ----------
    half_life : float, default 63
        Observations after which a return's weight halves.
    assume_centered : bool, default False
        If True the mean is taken as zero (RiskMetrics convention).

    Attributes
    ----------
    covariance_ : ndarray of shape (n_assets, n_assets)
    location_ : ndarray of shape (n_assets,)
        Exponentially weighted mean (zeros if ``assume_centered``).
    n_features_in_, n_observations_ : int

    Notes
    -----
    With :math:`\lambda = 2^{-1/h}` and weights
    :math:`w_t = \lambda^{T-t}` (the newest weighs 1):

    .. math:: \mu = \frac{\sum_t w_t x_t}{\sum_t w_t},\qquad
              \hat\Sigma = \frac{\sum_t w_t x_t x_t^\top}{\sum_t w_t}
              - \mu\mu^\top

    The running sums make :meth:`partial_fit` on consecutive batches equal
    :meth:`fit` on their concatenation. No small-sample bias correction.

    NaN handling: raises on NaN; drop incomplete rows first.
    """

    _min_observations = 1

    def __init__(self, *, half_life: float = 63.0, assume_centered: bool = False):
        self.half_life = half_life
        self.assume_centered = assume_centered

    def _decay(self) -> float:
        h = float(self.half_life)
        if not np.isfinite(h) or h <= 0:
            raise ValueError(
                f"half_life must be positive (got {self.half_life}). "
                "Typical values: 10-250 observations."
            )
        return float(0.5 ** (1.0 / h))

    def _estimate(self, X: FloatArray) -> None:
        self._sum_w = 0.0
        self._sum_x = np.zeros(X.shape[1])
        self._sum_xx = np.zeros((X.shape[1], X.shape[1]))
        self._accumulate(X)

    def _accumulate(self, X: FloatArray) -> None:
        lam = self._decay()
        m = X.shape[0]
        w = lam ** np.arange(m - 1, -1, -1, dtype=np.float64)
        carry = lam**m
        self._sum_w = carry * self._sum_w + w.sum()
        self._sum_x = carry * self._sum_x + w @ X
        self._sum_xx = carry * self._sum_xx + (X * w[:, None]).T @ X
        if self.assume_centered:
            self.location_ = np.zeros(X.shape[1])
            self.covariance_ = self._sum_xx / self._sum_w
        else:
            self.location_ = self._sum_x / self._sum_w
            self.covariance_ = self._sum_xx / self._sum_w - np.outer(
                self.location_, self.location_
            )

    def partial_fit(self, X: Any, y: None = None) -> EWMACovariance:
        """Update the estimate with new observations appended after the old.

        Parameters
        ----------
        X : array-like of shape (n_new_observations, n_assets) or (n_assets,)
            The next returns, in time order (a 1-D array is one observation).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        array = np.asarray(X, dtype=np.float64)
        array = array[None, :] if array.ndim == 1 else array
        if not hasattr(self, "covariance_"):
            return self.fit(array if getattr(X, "columns", None) is None else X)
        if array.shape[1] != self.n_features_in_ or not np.all(np.isfinite(array)):
            raise ValueError(
                f"X must be finite with {self.n_features_in_} columns "
                f"(got shape {array.shape})."
            )
        self.n_observations_ += array.shape[0]
        self._accumulate(array)
        return self


def ledoit_wolf_shrinkage(X: Any, *, assume_centered: bool = False) -> float:
    r"""Ledoit-Wolf optimal shrinkage intensity toward a scaled identity.

    Parameters
    ----------
    X : array-like of shape (n_observations, n_assets)
        Returns.
    assume_centered : bool, default False
        If True the data are not demeaned.

    Returns
    -------
    float
        Shrinkage :math:`\delta^* \in [0, 1]`.

    Notes
    -----
    Same estimator as :func:`sklearn.covariance.ledoit_wolf_shrinkage`, with
    :math:`S = X_c^\top X_c/T`, :math:`\mu = \mathrm{tr}(S)/p`:

    .. math:: b^2 = \frac{1}{pT}\Big(\frac{1}{T}\sum_t \lVert x_t
              \rVert^4 - \lVert S\rVert_F^2\Big),\quad
              d^2 = \frac{\lVert S - \mu I\rVert_F^2}{p},\quad
              \delta^* = \min(b^2, d^2)/d^2

    The term :math:`\sum_{ij}[(X^{\circ 2})^\top X^{\circ 2}]_{ij}` that
    scikit-learn forms with a second matrix product equals
    :math:`\sum_t (\sum_i x_{ti}^2)^2`, an O(Tp) sum, so only one matrix
    product (:math:`X_c^\top X_c`) is needed.

    NaN handling: raises on NaN.

    References
    ----------
    O. Ledoit and M. Wolf, "A well-conditioned estimator for large-dimensional
    covariance matrices", J. Multivariate Analysis 88(2), 2004.
    """
    array = as_2d_float(X, "X")
    return _ledoit_wolf(array, assume_centered)[1]


def _ledoit_wolf(X: FloatArray, assume_centered: bool) -> tuple[FloatArray, float]:
    n, p = X.shape
    Xc = X if assume_centered else X - X.mean(axis=0)
    if p == 1:
        return np.atleast_2d((Xc**2).mean()), 0.0
    emp = (Xc.T @ Xc) / n
    trace = float(np.trace(emp))
    mu = trace / p
    row_sq = np.einsum("ij,ij->i", Xc, Xc)
    beta_sum = float(row_sq @ row_sq)
    delta_sum = float(np.einsum("ij,ij->", emp, emp))
    beta = (beta_sum / n - delta_sum) / (p * n)
    delta = (delta_sum - 2.0 * mu * trace + p * mu**2) / p
    beta = min(beta, delta)
    shrinkage = 0.0 if beta == 0 else beta / delta
    shrunk = (1.0 - shrinkage) * emp
    shrunk.flat[:: p + 1] += shrinkage * mu
    return shrunk, shrinkage


class LedoitWolf(_BaseCovariance):
    r"""Ledoit-Wolf shrinkage covariance (matches scikit-learn to 1e-10).

    Parameters
    ----------
    assume_centered : bool, default False
        If True the data are not demeaned.

    Attributes
    ----------
    covariance_ : ndarray of shape (n_assets, n_assets)
    location_ : ndarray of shape (n_assets,)
    shrinkage_ : float
        Weight on the scaled identity target.
    n_features_in_, n_observations_ : int

    Notes
    -----
    .. math:: \hat\Sigma = (1-\delta^*) S + \delta^* \mu I

    with :math:`S` the maximum-likelihood (divide by :math:`T`) sample
    covariance; see :func:`ledoit_wolf_shrinkage` for :math:`\delta^*`.

    NaN handling: raises on NaN; drop incomplete rows first.
    """

    def __init__(self, *, assume_centered: bool = False) -> None:
        self.assume_centered = assume_centered

    def _estimate(self, X: FloatArray) -> None:
        self.location_ = np.zeros(X.shape[1]) if self.assume_centered else X.mean(0)
        self.covariance_, self.shrinkage_ = _ledoit_wolf(X, self.assume_centered)


class OAS(_BaseCovariance):
    r"""Oracle Approximating Shrinkage covariance (as scikit-learn's ``OAS``).

    Parameters
    ----------
    assume_centered : bool, default False
        If True the data are not demeaned.

    Attributes
    ----------
    covariance_ : ndarray of shape (n_assets, n_assets)
    location_ : ndarray of shape (n_assets,)
    shrinkage_ : float
    n_features_in_, n_observations_ : int

    Notes
    -----
    With :math:`\alpha = \mathrm{mean}(S^{\circ 2})`,
    :math:`\mu = \mathrm{tr}(S)/p`:

    .. math:: \rho = \min\Big(1, \frac{\alpha + \mu^2}
              {(T+1)(\alpha - \mu^2/p)}\Big),\qquad
              \hat\Sigma = (1-\rho) S + \rho\mu I

    NaN handling: raises on NaN; drop incomplete rows first.

    References
    ----------
    Y. Chen, A. Wiesel, Y. C. Eldar and A. O. Hero, "Shrinkage algorithms
    for MMSE covariance estimation", IEEE Trans. Signal Processing 58(10),
    2010.
    """

    def __init__(self, *, assume_centered: bool = False) -> None:
        self.assume_centered = assume_centered

    def _estimate(self, X: FloatArray) -> None:
        n, p = X.shape
        self.location_ = np.zeros(p) if self.assume_centered else X.mean(0)
        Xc = X - self.location_
        emp = (Xc.T @ Xc) / n
        if p == 1:
            self.covariance_, self.shrinkage_ = emp, 0.0
            return
        alpha = float(np.mean(emp**2))
        mu = float(np.trace(emp)) / p
        num = alpha + mu**2
        den = (n + 1) * (alpha - mu**2 / p)
        shrinkage = 1.0 if den == 0 else min(num / den, 1.0)
        shrunk = (1.0 - shrinkage) * emp
        shrunk.flat[:: p + 1] += shrinkage * mu
        self.covariance_, self.shrinkage_ = shrunk, shrinkage


def covariance(
    returns: pd.DataFrame,
    *,
    method: CovarianceMethod = "ledoit_wolf",
    window: int | None = None,
    as_of: DateLike | None = None,
    half_life: float = 63.0,
    nan_policy: Literal["raise", "drop"] = "raise",
) -> pd.DataFrame:
    """Covariance of asset returns on a window ending at a date.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets)
        Simple returns indexed by session date.
    method : {"sample", "ewma", "ledoit_wolf", "oas"}, default "ledoit_wolf"
        Estimator: :class:`SampleCovariance` (ddof=1),
        :class:`EWMACovariance`, :class:`LedoitWolf` or :class:`OAS`.
    window : int, optional
        Use only the last ``window`` observations up to ``as_of``
        (after dropping incomplete rows if ``nan_policy="drop"``). Default:
        all of them.
    as_of : date-like, optional
        Last date used (inclusive). Default: the last row.
    half_life : float, default 63
        Half-life in observations, for ``method="ewma"`` only.
    nan_policy : {"raise", "drop"}, default "raise"
        What to do with rows holding a NaN: raise, or drop the whole row.

    Returns
    -------
    DataFrame of shape (n_assets, n_assets)
        Per-period (not annualised) covariance, labelled by asset.

    Notes
    -----
    The estimate as of date t uses rows up to and including t only.

    NaN handling: see ``nan_policy``; nothing is filled.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> r = pd.DataFrame(rng.normal(0, 0.01, (300, 3)), columns=list("ABC"),
    ...                  index=pd.bdate_range("2024-01-01", periods=300))
    >>> covariance(r, method="sample", window=60).shape
    (3, 3)
    """
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(
            f"returns must be a DataFrame of asset returns (got {type(returns)})."
        )
    frame = returns
    if as_of is not None:
        frame = frame.loc[: pd.Timestamp(as_of)]
    if nan_policy == "drop":
        frame = frame.dropna(how="any")
    elif nan_policy != "raise":
        raise ValueError(f"nan_policy must be 'raise' or 'drop' (got {nan_policy!r}).")
    if window is not None:
        frame = frame.iloc[-check_positive_int(window, "window", minimum=2) :]
    estimators: dict[str, _BaseCovariance] = {
        "sample": SampleCovariance(),
        "ewma": EWMACovariance(half_life=half_life),
        "ledoit_wolf": LedoitWolf(),
        "oas": OAS(),
    }
    if method not in estimators:
        raise ValueError(
            f"method must be one of {sorted(estimators)} (got {method!r})."
        )
    return estimators[method].fit(frame).covariance_frame()
