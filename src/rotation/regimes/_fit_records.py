"""Per-refit parameter columns of ``MarkovRegimes.fits_``.

One dict of columns per refit, in percent units and in label order, for both
structures: ``mean_<label>``, ``variance_<label>`` (or ``variance_calm`` and
``variance_turbulent``), ``stay_<label>`` and ``initial_<label>``.
"""

from __future__ import annotations

import numpy as np

from rotation.regimes._fitters import Fit
from rotation.regimes._hamilton import steady_state_probabilities

__all__ = ["VOLATILITY_LABELS", "direction_stay", "fit_columns"]

VOLATILITY_LABELS = ("calm", "turbulent")


def fit_columns(
    fit: Fit | None, labels: tuple[str, ...], *, direction_volatility: bool
) -> dict[str, float]:
    """Return the ``fits_`` columns of one fit (all NaN when ``fit`` is None)."""
    columns: dict[str, float] = {}
    if direction_volatility:
        for d, label in enumerate(labels):
            columns[f"mean_{label}"] = np.nan if fit is None else fit.means[2 * d]
            columns[f"stay_{label}"] = np.nan if fit is None else direction_stay(fit, d)
            columns[f"initial_{label}"] = (
                np.nan if fit is None else float(fit.initial[2 * d : 2 * d + 2].sum())
            )
        for v, name in enumerate(VOLATILITY_LABELS):
            columns[f"variance_{name}"] = np.nan if fit is None else fit.variances[v]
        return columns
    for index, label in enumerate(labels):
        columns[f"mean_{label}"] = np.nan if fit is None else fit.means[index]
        columns[f"variance_{label}"] = np.nan if fit is None else fit.variances[index]
        columns[f"stay_{label}"] = (
            np.nan if fit is None else fit.transition[index, index]
        )
        columns[f"initial_{label}"] = np.nan if fit is None else fit.initial[index]
    return columns


def direction_stay(fit: Fit, direction: int) -> float:
    """P(D_t = d | D_{t-1} = d), volatility weighted by its steady state in d."""
    steady = steady_state_probabilities(fit.transition)
    within = steady[2 * direction : 2 * direction + 2]
    weights = within / within.sum() if within.sum() > 0 else np.full(2, 0.5)
    block = fit.transition[
        2 * direction : 2 * direction + 2, 2 * direction : 2 * direction + 2
    ]
    return float((block.sum(axis=0) * weights).sum())
