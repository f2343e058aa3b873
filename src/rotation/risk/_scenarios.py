"""Stress scenarios: factor shocks mapped through estimated exposures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from rotation._typing import DateLike
from rotation.measures import ols_hac
from rotation.risk._attribution import newey_west_lags
from rotation.risk._validation import (
    HasReturns,
    check_positive_int,
    portfolio_returns,
)

__all__ = [
    "FACTOR_UNITS",
    "FactorExposure",
    "Scenario",
    "ScenarioResult",
    "apply_scenario",
    "estimate_exposure",
    "run_scenarios",
    "shock_unit",
]

#: Unit of a shock to each market factor (:data:`rotation.risk.MARKET_FACTORS`).
#: Yield factors are changes in basis points; the others are simple returns
#: over the shock (fractions). A basket shocked by name is a return too.
FACTOR_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "DGS2": "bp",
        "DGS10": "bp",
        "T10YIE": "bp",
        "fed_path": "bp",
        "copper": "return",
        "oil": "return",
        "natgas": "return",
        "equity": "return",
    }
)


def shock_unit(factor: str) -> str:
    """Return the unit of a shock to ``factor`` (:data:`FACTOR_UNITS`, else "return").

    Any key that is not a market factor names a basket, whose shock is its
    return (a fraction).
    """
    return FACTOR_UNITS.get(factor, "return")


@dataclass(frozen=True)
class Scenario:
    """A named set of simultaneous shocks to market factors.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"copper_cliff"``.
    description : str
        The scenario in market terms.
    shocks : mapping of str to float
        Factor -> shock. Keys name columns of the factor-change frame: a
        market factor (:data:`FACTOR_UNITS`: yields in bp, prices as returns)
        or a basket (its return). Factors not named are not shocked.
    """

    name: str
    description: str
    shocks: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Scenario name must be a non-empty string (got '').")
        shocks = dict(self.shocks)
        if not shocks:
            raise ValueError(
                f"Scenario {self.name!r} needs at least one shock (got none)."
            )
        for key, value in shocks.items():
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(
                    f"Scenario {self.name!r}: shock {key!r} must be a finite "
                    f"number (got {value!r})."
                )
        frozen = MappingProxyType({str(k): float(v) for k, v in shocks.items()})
        object.__setattr__(self, "shocks", frozen)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Scenario:
        """Build from a mapping with keys ``name``, ``description``, ``shocks``."""
        return cls(
            name=str(spec["name"]),
            description=str(spec.get("description", "")),
            shocks=dict(spec["shocks"]),
        )


@dataclass(frozen=True)
class FactorExposure:
    """Joint OLS exposure of a portfolio to a set of factor changes.

    Attributes
    ----------
    betas : Series
        Portfolio return per unit of each factor (per bp for yields, per
        unit return for prices).
    std_errors, t_values : Series
        Newey-West HAC standard errors and t statistics of ``betas``.
    intercept : float
        Mean return per sampling period not explained by the factors.
    r_squared : float
    n_observations : int
        Number of (aggregated) observations in the regression.
    start, end : str
        First and last session of the estimation window (ISO).
    sampling_period : int
        Sessions aggregated per observation (non-overlapping blocks).
    """

    betas: pd.Series
    std_errors: pd.Series
    t_values: pd.Series
    intercept: float
    r_squared: float
    n_observations: int
    start: str
    end: str
    sampling_period: int

    def to_dict(self) -> dict[str, Any]:
        """Return everything as a JSON-serialisable dict."""
        return {
            "betas": {k: float(v) for k, v in self.betas.items()},
            "std_errors": {k: float(v) for k, v in self.std_errors.items()},
            "t_values": {k: float(v) for k, v in self.t_values.items()},
            "intercept": self.intercept,
            "r_squared": self.r_squared,
            "n_observations": self.n_observations,
            "start": self.start,
            "end": self.end,
            "sampling_period": self.sampling_period,
        }


def _block_sums(frame: pd.DataFrame, period: int) -> pd.DataFrame:
    # Non-overlapping blocks that end on the last row, so adding rows at the
    # end never changes which rows an earlier estimate aggregated.
    if period == 1:
        return frame
    n = len(frame) - len(frame) % period
    tail = frame.iloc[len(frame) - n :]
    values = tail.to_numpy(dtype=np.float64).reshape(-1, period, frame.shape[1])
    index = tail.index[period - 1 :: period]
    return pd.DataFrame(values.sum(axis=1), index=index, columns=frame.columns)


def estimate_exposure(
    returns: pd.DataFrame | pd.Series | HasReturns,
    factor_changes: pd.DataFrame,
    factors: Iterable[str],
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    window: int = 756,
    as_of: DateLike | None = None,
    sampling_period: int = 5,
) -> FactorExposure:
    r"""Estimate a portfolio's betas to factor changes on a history window.

    Parameters
    ----------
    returns : DataFrame, Series or object
        Asset returns (with ``weights``), portfolio returns, or an object
        with a ``returns`` Series.
    factor_changes : DataFrame
        Daily factor changes (see :func:`rotation.risk.scenario_factors`).
    factors : iterable of str
        Columns of ``factor_changes`` to regress on jointly.
    weights : mapping or Series, optional
        Asset weights for a DataFrame of asset returns.
    window : int, default 756
        Complete daily observations (about three years) before aggregation.
    as_of : date-like, optional
        Last session used (inclusive).
    sampling_period : int, default 5
        Sum returns and changes over non-overlapping blocks of this many
        sessions (5: weekly) before regressing, which damps the noise of
        asynchronous closes (yields vs equities).

    Returns
    -------
    FactorExposure

    Notes
    -----
    .. math:: \sum_{s\in b} r_{p,s} = c + \sum_k \beta_k
              \sum_{s\in b}\Delta f_{k,s} + \varepsilon_b

    NaN handling: sessions where the portfolio or any chosen factor is NaN
    are dropped before the window is taken.
    """
    names = [str(f) for f in factors]
    missing = [f for f in names if f not in factor_changes.columns]
    if not names or missing:
        raise KeyError(
            f"factors {missing or names} are not columns of factor_changes; "
            f"available: {list(map(str, factor_changes.columns))}"
        )
    window = check_positive_int(window, "window", minimum=10)
    period = check_positive_int(sampling_period, "sampling_period")
    y = portfolio_returns(returns, weights).rename("__portfolio__")
    joined = pd.concat([y, factor_changes[names]], axis=1, join="inner")
    if as_of is not None:
        joined = joined.loc[: pd.Timestamp(as_of)]
    joined = joined.dropna().iloc[-window:]
    blocks = _block_sums(joined, period)
    if len(blocks) <= len(names) + 2:
        raise ValueError(
            f"too few observations ({len(blocks)} blocks of {period} sessions) "
            f"to estimate {len(names)} betas; use a longer window."
        )
    design = pd.concat(
        [pd.Series(1.0, index=blocks.index, name="const"), blocks[names]], axis=1
    )
    fit = ols_hac(blocks["__portfolio__"], design, maxlags=newey_west_lags(len(blocks)))
    return FactorExposure(
        betas=fit.params[names].astype(float),
        std_errors=fit.bse[names].astype(float),
        t_values=fit.tvalues[names].astype(float),
        intercept=float(fit.params["const"]),
        r_squared=float(fit.rsquared),
        n_observations=len(blocks),
        start=joined.index[0].date().isoformat(),
        end=joined.index[-1].date().isoformat(),
        sampling_period=period,
    )


@dataclass(frozen=True)
class ScenarioResult:
    r"""A scenario mapped onto a portfolio.

    Attributes
    ----------
    scenario : Scenario
    exposure : FactorExposure
        The betas used, with their estimation window and fit.
    contributions : Series
        :math:`\beta_k \cdot \text{shock}_k` per shocked factor.
    pnl : float
        Estimated portfolio return under the scenario (sum of contributions).
    """

    scenario: Scenario
    exposure: FactorExposure
    contributions: pd.Series
    pnl: float

    def to_dict(self) -> dict[str, Any]:
        """Return everything as a JSON-serialisable dict."""
        return {
            "name": self.scenario.name,
            "description": self.scenario.description,
            "shocks": dict(self.scenario.shocks),
            "units": {k: shock_unit(k) for k in self.scenario.shocks},
            "contributions": {k: float(v) for k, v in self.contributions.items()},
            "pnl": self.pnl,
            "exposure": self.exposure.to_dict(),
        }


def apply_scenario(scenario: Scenario, exposure: FactorExposure) -> ScenarioResult:
    r"""Map a scenario's shocks through estimated betas.

    Parameters
    ----------
    scenario : Scenario
    exposure : FactorExposure
        Must hold a beta for every shocked factor.

    Returns
    -------
    ScenarioResult

    Notes
    -----
    .. math:: \widehat{\Delta V}/V = \sum_k \beta_k\, s_k

    A first-order (linear) map: the intercept is left out because the shock
    is instantaneous, and betas estimated on ordinary weeks are
    extrapolated to large moves.

    NaN handling: a NaN beta gives a NaN P&L.
    """
    missing = [k for k in scenario.shocks if k not in exposure.betas.index]
    if missing:
        raise KeyError(
            f"scenario {scenario.name!r} shocks {missing} but the exposure has "
            f"betas only for {list(exposure.betas.index)}; estimate the "
            "exposure on the scenario's factors."
        )
    shocks = pd.Series(dict(scenario.shocks), dtype=np.float64)
    contributions = exposure.betas[shocks.index] * shocks
    return ScenarioResult(
        scenario=scenario,
        exposure=exposure,
        contributions=contributions,
        pnl=float(contributions.sum()),
    )


def run_scenarios(
    returns: pd.DataFrame | pd.Series | HasReturns,
    factor_changes: pd.DataFrame,
    scenarios: Iterable[Scenario],
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    window: int = 756,
    as_of: DateLike | None = None,
    sampling_period: int = 5,
) -> tuple[ScenarioResult, ...]:
    """Estimate exposures and apply each scenario to one portfolio.

    Parameters
    ----------
    returns, factor_changes, weights, window, as_of, sampling_period
        As in :func:`estimate_exposure`.
    scenarios : iterable of Scenario
        The scenarios to apply (a thesis's: ``Scenario.from_dict`` of each
        of :meth:`rotation.thesis.Thesis.scenarios`); there is no default set.

    Returns
    -------
    tuple of ScenarioResult
        One per scenario; each regresses on that scenario's shocked factors
        jointly, so unshocked factors are neither held at zero nor moved.

    Notes
    -----
    NaN handling: as :func:`estimate_exposure`.
    """
    port = portfolio_returns(returns, weights)
    results = []
    for scenario in scenarios:
        exposure = estimate_exposure(
            port,
            factor_changes,
            list(scenario.shocks),
            window=window,
            as_of=as_of,
            sampling_period=sampling_period,
        )
        results.append(apply_scenario(scenario, exposure))
    return tuple(results)
