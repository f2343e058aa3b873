"""Value at risk and expected shortfall: historical, parametric, Monte Carlo."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from rotation._normal import normal_pdf, normal_ppf
from rotation._typing import DateLike, FloatArray
from rotation.risk._covariance import covariance
from rotation.risk._validation import (
    HasReturns,
    check_level,
    check_positive_int,
    portfolio_returns,
)

__all__ = [
    "RiskEstimate",
    "VaRMethod",
    "cornish_fisher_quantile",
    "historical_var_cvar",
    "value_at_risk",
    "var_table",
]

VaRMethod = Literal[
    "historical",
    "normal",
    "cornish_fisher",
    "monte_carlo_bootstrap",
    "monte_carlo_normal",
    "ewma_normal",
]
_METHODS: tuple[str, ...] = VaRMethod.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RiskEstimate:
    """VaR and CVaR of one portfolio at one level and horizon.

    Attributes
    ----------
    var : float
        Value at risk, a loss as a positive fraction of capital.
    cvar : float
        Conditional VaR (expected shortfall): mean loss beyond the VaR.
    method : str
        How it was estimated (see :func:`value_at_risk`).
    level : float
        Confidence level, e.g. 0.99.
    horizon : int
        Horizon in observations (sessions).
    n_observations : int
        Daily returns used.
    start, end : str
        First and last date of the estimation window (ISO), or "" if unknown.
    n_paths : int
        Simulated paths (0 for non-simulated methods).
    seed : int or None
        Random seed of a Monte Carlo method.
    """

    var: float
    cvar: float
    method: str
    level: float
    horizon: int
    n_observations: int
    start: str = ""
    end: str = ""
    n_paths: int = 0
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-serialisable dict."""
        return asdict(self)


def _tail_count(n: int, level: float) -> int:
    # Guard against n*(1-level) = 10.000000000000002 turning into 11.
    return max(1, math.ceil(n * (1.0 - level) - 1e-9))


def historical_var_cvar(sample: Any, *, level: float = 0.99) -> tuple[float, float]:
    r"""VaR and CVaR of an empirical return distribution.

    Parameters
    ----------
    sample : array-like of shape (n_observations,)
        Returns (historical or simulated).
    level : float, default 0.99
        Confidence level.

    Returns
    -------
    var, cvar : float
        Positive numbers are losses.

    Notes
    -----
    With the returns sorted :math:`r_{(1)} \le \dots \le r_{(n)}` and
    :math:`k = \lceil n(1-\alpha) \rceil`:

    .. math:: \mathrm{VaR} = -r_{(k)},\qquad
              \mathrm{CVaR} = -\frac{1}{k}\sum_{j=1}^{k} r_{(j)}

    i.e. the VaR is the "inverted CDF" empirical quantile (an observed loss,
    no interpolation) and the CVaR is the mean of the ``k`` worst returns.
    Uses a partial sort (``numpy.partition``), O(n).

    NaN handling: raises on NaN.

    Examples
    --------
    >>> historical_var_cvar([-0.05, -0.02, 0.01, 0.03], level=0.5)
    (0.02, 0.035)
    """
    x = np.asarray(sample, dtype=np.float64).ravel()
    level = check_level(level)
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(
            f"sample must be non-empty and finite (got {x.size} values, "
            f"{int((~np.isfinite(x)).sum())} not finite)."
        )
    k = _tail_count(x.size, level)
    part = np.partition(x, k - 1)
    return float(-part[k - 1]), float(-part[:k].mean())


def cornish_fisher_quantile(
    probability: float, *, skewness: float, excess_kurtosis: float
) -> float:
    r"""Cornish-Fisher expansion of the standardised quantile.

    Parameters
    ----------
    probability : float
        Lower-tail probability :math:`p`, e.g. 0.01.
    skewness, excess_kurtosis : float
        Third standardised moment and fourth minus 3.

    Returns
    -------
    float
        :math:`z_{cf}`.

    Notes
    -----
    With :math:`z = \Phi^{-1}(p)`, :math:`S` the skewness and :math:`K`
    the excess kurtosis:

    .. math:: z_{cf} = z + \frac{(z^2-1)S}{6} + \frac{(z^3-3z)K}{24}
              - \frac{(2z^3-5z)S^2}{36}

    NaN handling: NaN moments give NaN.
    """
    z = float(normal_ppf(probability))
    s, k = skewness, excess_kurtosis
    return (
        z
        + (z**2 - 1.0) * s / 6.0
        + (z**3 - 3.0 * z) * k / 24.0
        - (2.0 * z**3 - 5.0 * z) * s**2 / 36.0
    )


def _cornish_fisher_tail_mean(p: float, s: Any, k: Any) -> Any:
    # Integral of z_cf(Phi(z)) over z < z_p against the normal density,
    # divided by p; uses the truncated-normal moments
    # E[z 1{z<a}] = -phi, E[(z^2-1)1{}] = -a phi, E[(z^3-3z)1{}] = -(a^2-1)phi,
    # E[(2z^3-5z)1{}] = -(2a^2-1) phi. Elementwise for arrays s, k.
    a = float(normal_ppf(p))
    phi = float(normal_pdf(a))
    total = -phi * (
        1.0 + a * s / 6.0 + (a**2 - 1.0) * k / 24.0 - (2.0 * a**2 - 1.0) * s**2 / 36.0
    )
    return total / p


def sample_moments(x: FloatArray) -> tuple[float, float, float, float]:
    """Mean, std (ddof=1), bias-corrected skewness and excess kurtosis."""
    n = x.size
    mean = float(x.mean())
    d = x - mean
    m2 = float(d @ d) / n
    if n < 4 or m2 == 0.0:
        raise ValueError(
            f"need at least 4 non-constant observations for moments (got {n})."
        )
    d2 = d * d
    m3 = float((d2 * d).sum()) / n
    m4 = float((d2 * d2).sum()) / n
    g1 = m3 / m2**1.5
    g2 = m4 / m2**2 - 3.0
    # Adjusted Fisher-Pearson estimators, as pandas .skew() and .kurt().
    skew = g1 * math.sqrt(n * (n - 1)) / (n - 2)
    kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6.0)
    return mean, math.sqrt(m2 * n / (n - 1)), skew, kurt


#: Half-life (sessions) equivalent to RiskMetrics' daily decay 0.94.
RISKMETRICS_HALF_LIFE = 11.2


def ewma_volatility(x: FloatArray, *, half_life: float) -> float:
    r"""Zero-mean exponentially weighted volatility of the last return window.

    Parameters
    ----------
    x : ndarray of shape (n_observations,)
        Returns in time order (the last is the newest).
    half_life : float
        Sessions after which a squared return's weight halves.

    Returns
    -------
    float
        :math:`\sqrt{\sum_t \lambda^{T-t} r_t^2 / \sum_t \lambda^{T-t}}`,
        :math:`\lambda = 2^{-1/h}`.

    Notes
    -----
    NaN handling: NaN in, NaN out.
    """
    if not np.isfinite(half_life) or half_life <= 0:
        raise ValueError(
            f"half_life must be positive (got {half_life}). Typical values: "
            "5-60 sessions (RiskMetrics: 11.2)."
        )
    lam = 0.5 ** (1.0 / half_life)
    weights = lam ** np.arange(x.size - 1, -1, -1, dtype=np.float64)
    return float(np.sqrt((weights @ (x * x)) / weights.sum()))


def _compound(daily: FloatArray, horizon: int) -> FloatArray:
    """Overlapping ``horizon``-period compounded returns of a 1-D series."""
    if horizon == 1:
        return daily
    log_growth = np.log1p(daily)
    csum = np.concatenate(([0.0], np.cumsum(log_growth)))
    return np.expm1(csum[horizon:] - csum[:-horizon])


def value_at_risk(
    returns: pd.DataFrame | pd.Series | HasReturns,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    level: float = 0.99,
    horizon: int = 1,
    method: VaRMethod = "historical",
    window: int | None = None,
    as_of: DateLike | None = None,
    n_paths: int = 100_000,
    seed: int = 0,
    covariance_method: Literal["sample", "ewma", "ledoit_wolf", "oas"] = "sample",
    half_life: float = RISKMETRICS_HALF_LIFE,
) -> RiskEstimate:
    r"""VaR and CVaR of a portfolio, a return series or a backtest result.

    Parameters
    ----------
    returns : DataFrame of shape (n_observations, n_assets), Series or object
        Asset returns (with ``weights``), portfolio returns, or an object
        with a ``returns`` Series (a backtest result).
    weights : mapping or Series, optional
        Asset weights for a DataFrame (see :func:`portfolio_returns`).
    level : float, default 0.99
        Confidence level.
    horizon : int, default 1
        Horizon in sessions; returns compound over it.
    method : str, default "historical"
        ``"historical"``: empirical distribution of overlapping
        ``horizon``-day compounded returns. ``"normal"``: Gaussian with
        mean :math:`h\mu` and volatility :math:`\sqrt h\sigma`.
        ``"cornish_fisher"``: the normal quantile corrected for skewness
        and excess kurtosis (scaled to the horizon as :math:`S/\sqrt h`,
        :math:`K/h`, i.e. i.i.d. days). ``"monte_carlo_bootstrap"``:
        ``n_paths`` paths of ``horizon`` days drawn with replacement from
        the historical days. ``"monte_carlo_normal"``: ``n_paths`` paths of
        Gaussian days with the mean and covariance of the returns.
        ``"ewma_normal"``: zero-mean Gaussian whose variance is the
        exponentially weighted mean of squared returns (RiskMetrics), so
        it reacts to volatility clustering.
    window : int, optional
        Use only the last ``window`` daily returns up to ``as_of``.
    as_of : date-like, optional
        Last date used (inclusive).
    n_paths : int, default 100000
        Monte Carlo paths.
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for Monte Carlo methods.
    covariance_method : str, default "sample"
        For ``"normal"``, ``"cornish_fisher"`` and ``"monte_carlo_normal"``
        with a DataFrame and weights: the estimator of :math:`\Sigma`
        (see :func:`covariance`); the portfolio variance is
        :math:`w^\top\Sigma w`.
    half_life : float, default 11.2
        Half-life in sessions of ``"ewma_normal"`` (11.2 is RiskMetrics'
        :math:`\lambda = 0.94`).

    Returns
    -------
    RiskEstimate

    Notes
    -----
    Normal:

    .. math:: \mathrm{VaR} = -h\mu - \sqrt h\sigma z_{1-\alpha},\quad
              \mathrm{CVaR} = -h\mu + \sqrt h\sigma
              \frac{\varphi(z_{1-\alpha})}{1-\alpha}

    Cornish-Fisher replaces :math:`z_{1-\alpha}` by :math:`z_{cf}` (see
    :func:`cornish_fisher_quantile`); its CVaR integrates the expanded
    quantile function over the tail in closed form. For a linear
    portfolio a Gaussian day is exactly
    :math:`N(w^\top\mu, w^\top\Sigma w)`, so ``"monte_carlo_normal"``
    draws that scalar per day rather than the full asset vector.
    EWMA: :math:`\sigma^2 = \sum_t \lambda^{T-t} r_t^2 / \sum_t
    \lambda^{T-t}`, :math:`\lambda = 2^{-1/h_{1/2}}`, then the normal
    formulas with :math:`\mu = 0`.

    NaN handling: rows where the portfolio return is NaN (any weighted
    asset missing) are dropped before estimating; the count used is in
    ``n_observations``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> r = pd.Series(np.random.default_rng(1).normal(0, 0.01, 1000))
    >>> est = value_at_risk(r, level=0.99, method="normal")
    >>> 0.02 < est.var < 0.026
    True
    """
    level = check_level(level)
    horizon = check_positive_int(horizon, "horizon")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)} (got {method!r}).")
    asset_frame = returns if isinstance(returns, pd.DataFrame) else None
    port = portfolio_returns(returns, weights)
    if as_of is not None:
        port = port.loc[: pd.Timestamp(as_of)]
    port = port.dropna()
    if window is not None:
        port = port.iloc[-check_positive_int(window, "window", minimum=2) :]
    n = port.size
    if n < max(4, horizon + 1):
        raise ValueError(
            f"need at least {max(4, horizon + 1)} non-NaN returns for a "
            f"{horizon}-day VaR (got {n})."
        )
    x = port.to_numpy(dtype=np.float64)
    start, end = _date_str(port.index[0]), _date_str(port.index[-1])
    common: dict[str, Any] = dict(
        method=method,
        level=level,
        horizon=horizon,
        n_observations=n,
        start=start,
        end=end,
    )
    if method == "historical":
        var, cvar = historical_var_cvar(_compound(x, horizon), level=level)
        return RiskEstimate(var=var, cvar=cvar, **common)

    p = 1.0 - level
    if method == "ewma_normal":
        sigma = ewma_volatility(x, half_life=half_life) * math.sqrt(horizon)
        z = float(normal_ppf(p))
        var = -sigma * z
        cvar = sigma * float(normal_pdf(z)) / p
        return RiskEstimate(var=var, cvar=cvar, **common)

    mean, std, skew, kurt = sample_moments(x)
    if (
        asset_frame is not None
        and weights is not None
        and covariance_method != "sample"
    ):
        w = pd.Series(weights, dtype=np.float64)
        w = w[w != 0.0]
        sub = asset_frame.loc[port.index, list(w.index)]
        cov = covariance(sub, method=covariance_method)
        std = float(np.sqrt(w.to_numpy() @ cov.to_numpy() @ w.to_numpy()))
    if method == "normal":
        z = float(normal_ppf(p))
        sigma = std * math.sqrt(horizon)
        var = -(horizon * mean + sigma * z)
        cvar = -horizon * mean + sigma * float(normal_pdf(z)) / p
        return RiskEstimate(var=var, cvar=cvar, **common)
    if method == "cornish_fisher":
        s_h, k_h = skew / math.sqrt(horizon), kurt / horizon
        sigma = std * math.sqrt(horizon)
        z_cf = cornish_fisher_quantile(p, skewness=s_h, excess_kurtosis=k_h)
        var = -(horizon * mean + sigma * z_cf)
        tail = float(_cornish_fisher_tail_mean(p, s_h, k_h))
        cvar = -(horizon * mean + sigma * tail)
        return RiskEstimate(var=var, cvar=cvar, **common)

    n_paths = check_positive_int(n_paths, "n_paths", minimum=10)
    rng = np.random.default_rng(seed)
    if method == "monte_carlo_bootstrap":
        days = x[rng.integers(0, n, size=(n_paths, horizon))]
    else:
        days = rng.normal(mean, std, size=(n_paths, horizon))
    paths = np.expm1(np.log1p(days).sum(axis=1)) if horizon > 1 else days[:, 0]
    var, cvar = historical_var_cvar(paths, level=level)
    return RiskEstimate(var=var, cvar=cvar, n_paths=n_paths, seed=seed, **common)


def var_table(
    returns: pd.DataFrame | pd.Series | HasReturns,
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    levels: Sequence[float] = (0.95, 0.99),
    horizons: Sequence[int] = (1, 10),
    methods: Sequence[VaRMethod] = (
        "historical",
        "normal",
        "cornish_fisher",
        "monte_carlo_bootstrap",
    ),
    window: int | None = None,
    as_of: DateLike | None = None,
    n_paths: int = 100_000,
    seed: int = 0,
) -> pd.DataFrame:
    """VaR and CVaR for every combination of method, level and horizon.

    Parameters
    ----------
    returns, weights
        As in :func:`value_at_risk`.
    levels : sequence of float, default (0.95, 0.99)
    horizons : sequence of int, default (1, 10)
    methods : sequence of str
        Methods of :func:`value_at_risk`.
    window, as_of, n_paths, seed
        As in :func:`value_at_risk`.

    Returns
    -------
    DataFrame
        One row per combination with the fields of :class:`RiskEstimate`.

    Notes
    -----
    NaN handling: as :func:`value_at_risk`.
    """
    port = portfolio_returns(returns, weights)
    rows = [
        value_at_risk(
            port,
            level=lvl,
            horizon=h,
            method=m,
            window=window,
            as_of=as_of,
            n_paths=n_paths,
            seed=seed,
        ).to_dict()
        for m in methods
        for lvl in levels
        for h in horizons
    ]
    return pd.DataFrame(rows)


def _date_str(value: Any) -> str:
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)
