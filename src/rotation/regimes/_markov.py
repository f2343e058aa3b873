"""Markov-switching regimes on a rotation spread, with filtered probabilities."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.exceptions import RotationWarning
from rotation.regimes._fitters import Fit, fit_em, fit_statsmodels
from rotation.regimes._hamilton import hamilton_filter
from rotation.regimes._validation import check_positive_int, check_returns_series

__all__ = [
    "MarkovRegimes",
    "MarkovRegimesResult",
    "RegimeConvergenceWarning",
    "regime_labels",
]

RefitFrequency = Literal["W", "M", "Q", "Y"]
Engine = Literal["em", "statsmodels"]
_PERIOD_CODE = {"W": "W-FRI", "M": "M", "Q": "Q", "Y": "Y"}


class RegimeConvergenceWarning(RotationWarning):
    """A Markov-switching refit did not converge; the last good fit was kept.

    The failed refits are listed in ``MarkovRegimes.fits_`` (``converged`` is
    False, ``in_use`` is False). Silence with
    ``warnings.filterwarnings("ignore", category=RegimeConvergenceWarning)``.
    """


def regime_labels(n_regimes: int) -> tuple[str, ...]:
    """Labels of the regimes, ordered by increasing mean spread.

    Parameters
    ----------
    n_regimes : {2, 3}
        Number of regimes.

    Returns
    -------
    tuple of str
        ``("tech_leadership", "rotation")`` or
        ``("tech_leadership", "neutral", "rotation")``.
    """
    if n_regimes == 2:
        return ("tech_leadership", "rotation")
    if n_regimes == 3:
        return ("tech_leadership", "neutral", "rotation")
    raise ValueError(f"n_regimes must be 2 or 3 (got {n_regimes!r}).")


@dataclass(frozen=True)
class MarkovRegimesResult:
    r"""Immutable outcome of :meth:`MarkovRegimes.fit`.

    Attributes
    ----------
    filtered_probabilities : DataFrame of shape (n_sessions, n_regimes)
        :math:`P(S_t = \text{label} \mid \text{data up to } t)` on every
        session of the input, NaN before the first fit.
    regime : Series
        The most probable label on each session (``<NA>`` before the first fit).
    fits : DataFrame
        One row per refit (see :attr:`MarkovRegimes.fits_`).
    observations : Series
        The sampled spread the model sees (percent per ``sampling_interval``
        sessions), indexed by the session that closes each block.
    labels : tuple of str
        Regime labels ordered by increasing mean spread.
    """

    filtered_probabilities: pd.DataFrame
    regime: pd.Series
    fits: pd.DataFrame
    observations: pd.Series
    labels: tuple[str, ...]

    @cached_property
    def current(self) -> dict[str, Any]:
        """The last session's regime and probabilities."""
        valid = self.filtered_probabilities.dropna()
        if valid.empty:
            return {"date": None, "regime": None, "probabilities": {}}
        last = valid.iloc[-1]
        return {
            "date": valid.index[-1].date().isoformat(),
            "regime": str(last.idxmax()),
            "probabilities": {str(k): float(v) for k, v in last.items()},
        }

    def summary(self) -> str:
        """Plain-text summary: current regime, refits and last fit's parameters."""
        current = self.current
        n_fits = len(self.fits)
        n_failed = int((~self.fits["converged"]).sum()) if n_fits else 0
        lines = [
            "Markov-switching regimes (filtered probabilities, no smoothing)",
            f"  regimes: {', '.join(self.labels)}",
            f"  refits: {n_fits} ({n_failed} did not converge; last good fit kept)",
        ]
        if current["date"] is not None:
            probs = ", ".join(
                f"{k}={v:.2f}" for k, v in current["probabilities"].items()
            )
            lines.append(f"  as of {current['date']}: {current['regime']} ({probs})")
        used = self.fits[self.fits["in_use"]] if n_fits else self.fits
        if len(used):
            last = used.iloc[-1]
            for label in self.labels:
                lines.append(
                    f"  {label:>16}: mean {last[f'mean_{label}']:+.3f}%  "
                    f"sd {np.sqrt(last[f'variance_{label}']):.3f}%  "
                    f"stay {last[f'stay_{label}']:.3f}"
                )
        return "\n".join(lines)


class MarkovRegimes:
    r"""Markov-switching regimes of a spread, refit causally, filtered only.

    The daily spread returns are summed over non-overlapping blocks of
    ``sampling_interval`` sessions (counted from the first valid session) and
    scaled to percent. A Gaussian Markov-switching model with switching mean
    (and optionally variance) is fitted with statsmodels'
    ``MarkovRegression`` on an expanding or rolling window of blocks, refit
    at the first block of each new calendar period. The probability reported
    at block t comes from the last fit made at or before t, run forward with
    the Hamilton filter over that fit's window: it is exactly what the model
    refit on data cut at t would report at t. Sessions inside a block carry
    the probability of the last completed block.

    Parameters
    ----------
    n_regimes : {2, 3}, default 2
        Number of regimes. Labels are assigned by increasing mean spread:
        ``tech_leadership`` (lowest), ``neutral`` (3 regimes only) and
        ``rotation`` (highest), the same way at every refit.
    refit : {"W", "M", "Q", "Y"} or int, default "M"
        Calendar frequency of refits (refit at the first block whose session
        falls in a new period), or a number of blocks between refits.
    window : "expanding" or int, default "expanding"
        Fit on all blocks so far, or on the last ``window`` blocks.
    min_observations : int, default 104
        Blocks needed before the first fit (104 five-session blocks is about
        two years).
    sampling_interval : int, default 5
        Sessions per block (5: weekly; 1: daily).
    switching_variance : bool, default True
        Whether each regime has its own variance.
    engine : {"em", "statsmodels"}, default "em"
        ``"em"``: the numba expectation-maximisation fitter
        (:func:`rotation.regimes.baum_welch`), started both from the previous
        good fit and from data quantiles, keeping the higher likelihood
        and from a calm/turbulent split (fast enough for monthly refits of
        decades of data). ``"statsmodels"``:
        ``statsmodels.tsa.MarkovRegression.fit`` warm-started from the
        previous good fit (about 100x slower). Both fit the same model; the
        filter is the same.
    max_iterations : int, default 500
        Iteration cap of the fitter (EM iterations or quasi-Newton steps).

    Attributes
    ----------
    filtered_probabilities_ : DataFrame of shape (n_sessions, n_regimes)
        Filtered probabilities on each session of the input.
    regime_ : Series
        Argmax label on each session.
    fits_ : DataFrame
        One row per refit: ``date``, ``n_observations``, ``converged``,
        ``in_use`` (False where a failed fit was replaced by the last good
        one), ``log_likelihood``, ``message`` and, per label, ``mean_<label>``
        and ``variance_<label>`` (percent units), ``stay_<label>``
        (probability of staying in that regime) and ``initial_<label>`` (the
        fit's probability for the window's first block).
    observations_ : Series
        The sampled spread in percent, indexed by block-closing session.
    labels_ : tuple of str
        Regime labels.
    result_ : MarkovRegimesResult
        The same outcome as an immutable object with ``summary()``.

    Notes
    -----
    Model for the block spread :math:`y_t` (percent):

    .. math::

        y_t = \mu_{S_t} + \sigma_{S_t} \varepsilon_t, \quad
        \varepsilon_t \sim N(0, 1), \quad
        P(S_t = i \mid S_{t-1} = j) = p_{ij}.

    Filtered, never smoothed, probabilities are reported:
    :math:`P(S_t = i \mid y_1, \dots, y_t)` from the Hamilton filter with
    the parameters of the fit in force at t. A refit that raises, returns
    non-finite parameters or reports non-convergence is recorded in
    ``fits_`` and the previous good fit stays in force; a
    :class:`RegimeConvergenceWarning` lists them. Refits are warm-started
    from the previous good fit, so the run is deterministic and causal.

    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError`` (fill or drop gaps explicitly). Probabilities are
    NaN before the first fit.

    References
    ----------
    Hamilton, J. D. (1989). Econometrica 57(2), 357-384.
    Kim, C.-J. and Nelson, C. R. (1999). State-Space Models with Regime
    Switching. MIT Press.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> mean = np.repeat([0.004, -0.004, 0.004], 500)
    >>> spread = pd.Series(rng.normal(mean, 0.004),
    ...                    index=pd.bdate_range("2000-01-03", periods=1500))
    >>> model = MarkovRegimes(refit="Y", min_observations=80).fit(spread)
    >>> model.labels_
    ('tech_leadership', 'rotation')
    >>> bool(model.fits_["converged"].all())
    True
    >>> model.regime_.loc["2003-06-02"], model.regime_.loc["2005-06-01"]
    ('tech_leadership', 'rotation')
    """

    def __init__(
        self,
        n_regimes: int = 2,
        *,
        refit: RefitFrequency | int = "M",
        window: Literal["expanding"] | int = "expanding",
        min_observations: int = 104,
        sampling_interval: int = 5,
        switching_variance: bool = True,
        engine: Engine = "em",
        max_iterations: int = 500,
    ) -> None:
        self.n_regimes = n_regimes
        self.refit = refit
        self.window = window
        self.min_observations = min_observations
        self.sampling_interval = sampling_interval
        self.switching_variance = switching_variance
        self.engine = engine
        self.max_iterations = max_iterations

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        labels = regime_labels(self.n_regimes)
        del labels
        if isinstance(self.refit, str):
            if self.refit not in _PERIOD_CODE:
                raise ValueError(
                    f"refit must be one of 'W', 'M', 'Q', 'Y' or a positive number "
                    f"of blocks (got {self.refit!r})."
                )
        else:
            check_positive_int(self.refit, "refit")
        check_positive_int(self.min_observations, "min_observations", minimum=10)
        check_positive_int(self.sampling_interval, "sampling_interval")
        check_positive_int(self.max_iterations, "max_iterations")
        if self.engine not in ("em", "statsmodels"):
            raise ValueError(
                f"engine must be 'em' or 'statsmodels' (got {self.engine!r})."
            )
        if self.window != "expanding":
            window = check_positive_int(self.window, "window", minimum=10)
            if window < self.min_observations:
                raise ValueError(
                    f"window must be 'expanding' or an integer >= min_observations "
                    f"({self.min_observations}) (got {self.window!r})."
                )

    # -------------------------------------------------------------------- fit
    def fit(self, spread_returns: pd.Series, y: None = None) -> MarkovRegimes:
        """Fit the regimes causally on daily spread returns.

        Parameters
        ----------
        spread_returns : Series of shape (n_sessions,)
            Daily simple returns of the rotation spread (rotation leg minus
            incumbent leg, e.g. tangible minus tech), as fractions, indexed by
            session date.
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        MarkovRegimes
            The fitted estimator.
        """
        self._check_params()
        series, values, first = check_returns_series(spread_returns, "spread_returns")
        interval = int(self.sampling_interval)
        n_blocks = (len(values) - first) // interval
        if n_blocks < self.min_observations:
            raise ValueError(
                f"spread_returns has {n_blocks} blocks of {interval} sessions after "
                f"its first valid value; min_observations={self.min_observations} "
                "are needed for a first fit. Pass a longer history or lower "
                "min_observations."
            )
        usable = values[first : first + n_blocks * interval]
        blocks = usable.reshape(n_blocks, interval).sum(axis=1) * 100.0
        block_rows = first + interval * np.arange(1, n_blocks + 1) - 1
        block_dates = pd.DatetimeIndex(series.index[block_rows])

        labels = regime_labels(self.n_regimes)
        refit_points = self._refit_points(block_dates)
        fits, records = self._fit_all(blocks, block_dates, refit_points, labels)

        block_probs = np.full((n_blocks, self.n_regimes), np.nan)
        for position, (start, fit) in enumerate(fits):
            end = refit_points[position + 1] if position + 1 < len(fits) else n_blocks
            if fit is None:
                continue
            segment = blocks[start:end]
            filtered, _ = hamilton_filter(
                segment,
                fit.transition,
                fit.means,
                fit.variances,
                initial=fit.initial,
            )
            begin = refit_points[position]
            block_probs[begin:end] = filtered[begin - start :]

        daily = np.full((len(values), self.n_regimes), np.nan)
        rows = np.arange(first + interval - 1, len(values))
        block_of_row = np.minimum((rows - first + 1) // interval - 1, n_blocks - 1)
        daily[rows] = block_probs[block_of_row]

        probabilities = pd.DataFrame(daily, index=series.index, columns=list(labels))
        probabilities.columns.name = "regime"
        regime = _argmax_labels(probabilities)
        fits_frame = pd.DataFrame.from_records(records)
        observations = pd.Series(blocks, index=block_dates, name="spread_pct")

        self.labels_ = labels
        self.filtered_probabilities_ = probabilities
        self.regime_ = regime
        self.fits_ = fits_frame
        self.observations_ = observations
        self.n_features_in_ = 1
        self.result_ = MarkovRegimesResult(
            filtered_probabilities=probabilities,
            regime=regime,
            fits=fits_frame,
            observations=observations,
            labels=labels,
        )
        failed = fits_frame.loc[~fits_frame["converged"], "date"]
        if len(failed):
            dates = ", ".join(pd.Timestamp(d).date().isoformat() for d in failed[:5])
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            warnings.warn(
                f"{len(failed)} of {len(fits_frame)} Markov-switching refits did not "
                f"converge ({dates}{more}); the last good fit was kept for each. "
                "See fits_; silence with warnings.filterwarnings('ignore', "
                "category=RegimeConvergenceWarning).",
                RegimeConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _refit_points(self, block_dates: pd.DatetimeIndex) -> list[int]:
        first_fit = int(self.min_observations) - 1
        n_blocks = len(block_dates)
        if isinstance(self.refit, str):
            periods = block_dates.to_period(_PERIOD_CODE[self.refit]).asi8
            new_period = np.ones(n_blocks, dtype=bool)
            new_period[1:] = periods[1:] != periods[:-1]
            later = [int(i) for i in np.flatnonzero(new_period) if i > first_fit]
        else:
            later = list(range(first_fit + int(self.refit), n_blocks, int(self.refit)))
        return [first_fit, *later]

    def _fit_all(
        self,
        blocks: FloatArray,
        block_dates: pd.DatetimeIndex,
        refit_points: list[int],
        labels: tuple[str, ...],
    ) -> tuple[list[tuple[int, Fit | None]], list[dict[str, Any]]]:
        fits: list[tuple[int, Fit | None]] = []
        records: list[dict[str, Any]] = []
        good: Fit | None = None
        good_start = 0
        for point in refit_points:
            start = (
                0
                if self.window == "expanding"
                else max(0, point + 1 - int(self.window))
            )
            sample = blocks[start : point + 1]
            fitter = fit_em if self.engine == "em" else fit_statsmodels
            candidate, converged, message = fitter(
                sample,
                self.n_regimes,
                switching_variance=self.switching_variance,
                previous=good,
                max_iterations=int(self.max_iterations),
            )
            in_use = candidate is not None and converged
            if in_use:
                good, good_start = candidate, start
            record: dict[str, Any] = {
                "date": block_dates[point],
                "n_observations": len(sample),
                "converged": bool(converged),
                "in_use": bool(in_use),
                "log_likelihood": (
                    candidate.log_likelihood if candidate is not None else np.nan
                ),
                "message": message,
            }
            for index, label in enumerate(labels):
                source = candidate if candidate is not None else None
                record[f"mean_{label}"] = (
                    np.nan if source is None else source.means[index]
                )
                record[f"variance_{label}"] = (
                    np.nan if source is None else source.variances[index]
                )
                record[f"stay_{label}"] = (
                    np.nan if source is None else source.transition[index, index]
                )
                record[f"initial_{label}"] = (
                    np.nan if source is None else source.initial[index]
                )
            records.append(record)
            # A failed refit keeps the last good fit, filtered over its own window.
            fits.append((good_start, good))
        return fits, records

    def predict_proba(self) -> pd.DataFrame:
        """Return the filtered probabilities of the fitted data (no smoothing).

        Returns
        -------
        DataFrame of shape (n_sessions, n_regimes)
            Same as :attr:`filtered_probabilities_`.
        """
        if not hasattr(self, "filtered_probabilities_"):
            raise AttributeError("MarkovRegimes is not fitted; call fit(spread) first.")
        return self.filtered_probabilities_


def _argmax_labels(probabilities: pd.DataFrame) -> pd.Series:
    valid = probabilities.notna().all(axis=1).to_numpy()
    values = probabilities.to_numpy()
    labels = np.asarray(probabilities.columns, dtype=object)
    out = np.full(len(probabilities), None, dtype=object)
    if valid.any():
        out[valid] = labels[np.argmax(values[valid], axis=1)]
    return pd.Series(out, index=probabilities.index, name="regime", dtype="string")
