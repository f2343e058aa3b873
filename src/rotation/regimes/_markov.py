"""Markov-switching regimes on a rotation spread, with filtered probabilities."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.exceptions import RotationWarning
from rotation.regimes._fit_records import VOLATILITY_LABELS, fit_columns
from rotation.regimes._fitters import (
    Fit,
    fit_direction_volatility,
    fit_em,
    fit_statsmodels,
)
from rotation.regimes._hamilton import hamilton_filter
from rotation.regimes._markov_result import MarkovRegimesResult
from rotation.regimes._validation import check_positive_int, check_returns_series

__all__ = [
    "MarkovRegimes",
    "MarkovRegimesResult",
    "RegimeConvergenceWarning",
    "regime_labels",
]

RefitFrequency = Literal["W", "M", "Q", "Y"]
Engine = Literal["em", "statsmodels"]
Structure = Literal["independent", "direction_volatility"]
TransitionForm = Literal["kronecker", "full"]
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


class MarkovRegimes:
    r"""Markov-switching regimes of a spread, refit causally, filtered only.

    The daily spread returns are summed over non-overlapping blocks of
    ``sampling_interval`` sessions (counted from the first valid session) and
    scaled to percent. A Gaussian Markov-switching model with switching mean
    (and optionally variance), or the direction x volatility model
    (``structure``), is fitted by expectation-maximisation (numba; ``engine``)
    on an expanding or rolling window of blocks, refit at the first block of
    each new calendar period. The probability reported
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
    trailing_blocks : int, default 1
        Observation at block t: the spread summed over the ``trailing_blocks``
        blocks ending at t (overlapping windows; 1: the block alone). The
        first ``trailing_blocks - 1`` blocks have no observation.
    switching_variance : bool, default True
        Whether each regime has its own variance (``structure="independent"``).
    engine : {"em", "statsmodels"}, default "em"
        ``"em"``: the numba expectation-maximisation fitter
        (:func:`rotation.regimes.baum_welch`), started from data quantiles,
        from a calm/turbulent split and from the previous good fit, keeping
        the start with the highest likelihood (fast enough for monthly
        refits of decades of data). ``"statsmodels"`` (optional second
        engine, ``structure="independent"`` only):
        ``statsmodels.tsa.MarkovRegression.fit`` warm-started from the
        previous good fit, about 100x slower; it fits the same model and
        serves as the test reference of the 2-regime EM. The filter is the
        same for both.
    max_iterations : int, default 500
        Iteration cap of the fitter (EM iterations or quasi-Newton steps).
    structure : {"independent", "direction_volatility"}, default "independent"
        ``"independent"``: each regime has its own mean and variance (the
        original model). ``"direction_volatility"``: four hidden states,
        direction (``tech_leadership``, ``rotation``) x volatility (``calm``,
        ``turbulent``); the mean depends on the direction only and the
        variance on the volatility only (fitted by
        :func:`rotation.regimes.factorial_em`; ``n_regimes`` must be 2 and
        ``engine`` ``"em"``). The label probabilities are the sums over
        volatility, :math:`P(D_t = d \mid y_{1:t}) = \sum_v P(S_t = (d, v)
        \mid y_{1:t})`.
    transition : {"kronecker", "full"}, default "kronecker"
        ``structure="direction_volatility"`` only: independent 2x2 chains for
        direction and volatility (:math:`P = P_d \otimes P_v`) or a free 4x4
        transition.

    Attributes
    ----------
    filtered_probabilities_ : DataFrame of shape (n_sessions, n_regimes)
        Filtered probabilities on each session of the input.
    state_probabilities_ : DataFrame of shape (n_sessions, n_states)
        Filtered probabilities of the hidden states (``"rotation|calm"``
        etc. for ``structure="direction_volatility"``; the labels otherwise).
    regime_ : Series
        Argmax label on each session.
    fits_ : DataFrame
        One row per refit: ``date``, ``n_observations``, ``converged``,
        ``in_use`` (False where a failed fit was replaced by the last good
        one), ``log_likelihood``, ``message`` and, per label, ``mean_<label>``
        and ``variance_<label>`` (percent units), ``stay_<label>``
        (probability of staying in that regime) and ``initial_<label>`` (the
        fit's probability for the window's first block). For
        ``structure="direction_volatility"`` the variances are
        ``variance_calm`` and ``variance_turbulent`` and ``stay_<label>`` is
        the direction's persistence (exact for the Kronecker transition;
        averaged over volatility with its steady-state weights otherwise).
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

    With ``structure="direction_volatility"``, :math:`S_t = (D_t, V_t)`,
    :math:`y_t = \mu_{D_t} + \sigma_{V_t} \varepsilon_t`; directions are
    sorted by :math:`\mu_d` (``rotation``: the higher mean spread) and
    volatility states by :math:`\sigma_v^2` at every refit.

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
        trailing_blocks: int = 1,
        switching_variance: bool = True,
        engine: Engine = "em",
        max_iterations: int = 500,
        structure: Structure = "independent",
        transition: TransitionForm = "kronecker",
    ) -> None:
        self.n_regimes = n_regimes
        self.refit = refit
        self.window = window
        self.min_observations = min_observations
        self.sampling_interval = sampling_interval
        self.trailing_blocks = trailing_blocks
        self.switching_variance = switching_variance
        self.engine = engine
        self.max_iterations = max_iterations
        self.structure = structure
        self.transition = transition

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        regime_labels(self.n_regimes)  # raises on an unsupported n_regimes
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
        check_positive_int(self.trailing_blocks, "trailing_blocks")
        check_positive_int(self.max_iterations, "max_iterations")
        if self.structure not in ("independent", "direction_volatility"):
            raise ValueError(
                "structure must be 'independent' or 'direction_volatility' "
                f"(got {self.structure!r})."
            )
        if self.transition not in ("kronecker", "full"):
            raise ValueError(
                f"transition must be 'kronecker' or 'full' (got {self.transition!r})."
            )
        if self.structure == "direction_volatility":
            if self.n_regimes != 2:
                raise ValueError(
                    "structure='direction_volatility' has two directions "
                    f"(tech_leadership, rotation); n_regimes must be 2 (got "
                    f"{self.n_regimes!r})."
                )
            if self.engine != "em":
                raise ValueError(
                    "structure='direction_volatility' is fitted by the ECM engine "
                    f"only; engine must be 'em' (got {self.engine!r})."
                )
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
        block_sums = usable.reshape(n_blocks, interval).sum(axis=1) * 100.0
        block_rows = first + interval * np.arange(1, n_blocks + 1) - 1
        # Observation t: the spread over the trailing ``trailing_blocks``
        # blocks ending at block t (1: the block itself). Each window is
        # summed on its own so that a prefix gives bit-identical values.
        lag = int(self.trailing_blocks) - 1
        if n_blocks - lag < self.min_observations:
            raise ValueError(
                f"spread_returns has {n_blocks - lag} observations of "
                f"{lag + 1} blocks of {interval} sessions after its first valid "
                f"value; min_observations={self.min_observations} are needed for "
                "a first fit. Pass a longer history or lower min_observations."
            )
        blocks = np.lib.stride_tricks.sliding_window_view(block_sums, lag + 1).sum(
            axis=1
        )
        block_dates = pd.DatetimeIndex(series.index[block_rows[lag:]])
        n_observations = len(blocks)

        labels = regime_labels(self.n_regimes)
        refit_points = self._refit_points(block_dates)
        fits, records = self._fit_all(blocks, block_dates, refit_points, labels)

        states = self._state_names(labels)
        block_probs = np.full((n_blocks, len(states)), np.nan)
        for position, (start, fit) in enumerate(fits):
            end = (
                refit_points[position + 1]
                if position + 1 < len(fits)
                else n_observations
            )
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
            block_probs[lag + begin : lag + end] = filtered[begin - start :]

        daily = np.full((len(values), len(states)), np.nan)
        rows = np.arange(first + interval - 1, len(values))
        block_of_row = np.minimum((rows - first + 1) // interval - 1, n_blocks - 1)
        daily[rows] = block_probs[block_of_row]

        state_probabilities = pd.DataFrame(
            daily, index=series.index, columns=list(states)
        )
        state_probabilities.columns.name = "state"
        if self.structure == "direction_volatility":
            # P(direction d) = sum over volatility v of P(S_t = 2 d + v).
            daily = daily[:, 0::2] + daily[:, 1::2]
        probabilities = pd.DataFrame(daily, index=series.index, columns=list(labels))
        probabilities.columns.name = "regime"
        regime = _argmax_labels(probabilities)
        fits_frame = pd.DataFrame.from_records(records)
        observations = pd.Series(blocks, index=block_dates, name="spread_pct")

        self.labels_ = labels
        self.filtered_probabilities_ = probabilities
        self.state_probabilities_ = state_probabilities
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

    def _state_names(self, labels: tuple[str, ...]) -> tuple[str, ...]:
        if self.structure == "direction_volatility":
            return tuple(f"{d}|{v}" for d in labels for v in VOLATILITY_LABELS)
        return labels

    def _fit_one(self, sample: FloatArray, previous: Fit | None) -> Any:
        if self.structure == "direction_volatility":
            return fit_direction_volatility(
                sample,
                kronecker=self.transition == "kronecker",
                previous=previous,
                max_iterations=int(self.max_iterations),
            )
        fitter = fit_em if self.engine == "em" else fit_statsmodels
        return fitter(
            sample,
            self.n_regimes,
            switching_variance=self.switching_variance,
            previous=previous,
            max_iterations=int(self.max_iterations),
        )

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
        tied = self.structure == "direction_volatility"
        for point in refit_points:
            start = (
                0
                if self.window == "expanding"
                else max(0, point + 1 - int(self.window))
            )
            sample = blocks[start : point + 1]
            candidate, converged, message = self._fit_one(sample, good)
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
            record.update(fit_columns(candidate, labels, direction_volatility=tied))
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
