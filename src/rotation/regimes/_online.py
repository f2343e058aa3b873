"""Streaming Bayesian online change points: feed sessions as they close."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rotation._arrays import kernel_input
from rotation._typing import FloatArray
from rotation.regimes._changepoint import (
    ChangePointResult,
    _bocpd,
    _initial_state,
    run_length_frame,
)
from rotation.regimes._validation import (
    check_positive_int,
    check_probability,
    check_returns_series,
)

__all__ = ["OnlineChangePoints"]


class OnlineChangePoints:
    r"""Bayesian online change points (Adams and MacKay, 2007), streaming.

    The estimator form of :func:`bocpd`: :meth:`partial_fit` takes the next
    sessions and continues from the stored run-length posterior, so feeding
    a series in pieces gives exactly the batch result.

    Parameters
    ----------
    expected_run_length : float, default 250
        :math:`1/H` for the constant hazard :math:`H`, in sessions.
    max_run_length : int, default 500
        Truncation of the run-length distribution.
    prior_mean, prior_kappa, prior_alpha, prior_beta : float
        Normal-Gamma prior (units of ``returns * scale``).
    scale : float, default 100
        Multiplier applied to the returns (percent).
    recent : int, default 10
        Run lengths below this count as a recent change.
    alarm_probability : float, default 0.5
        Alarm when :math:`P(r_t < \text{recent})` exceeds it.

    Attributes
    ----------
    frame_ : DataFrame
        Per session seen so far: ``map_run_length``, ``expected_run_length``,
        ``recent_change_probability``, ``alarm``.
    run_length_probabilities_ : ndarray of shape (n_sessions, max_run_length + 1)
        Filtered run-length posteriors.
    result_ : ChangePointResult
        The same as an immutable result with ``summary()``.

    Notes
    -----
    See :func:`bocpd` for the recursion.

    NaN handling: leading NaNs of the first batch are skipped; any other NaN
    raises ``ValueError``. Each batch must start after the last date seen.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = pd.Series(np.random.default_rng(0).normal(0, 0.01, 300),
    ...               index=pd.bdate_range("2020-01-01", periods=300))
    >>> online = OnlineChangePoints().partial_fit(x.iloc[:100]).partial_fit(x.iloc[100:])
    >>> batch = OnlineChangePoints().fit(x)
    >>> bool(np.array_equal(online.run_length_probabilities_,
    ...                     batch.run_length_probabilities_))
    True
    """

    frame_: pd.DataFrame
    run_length_probabilities_: FloatArray
    state_: tuple[Any, ...]
    result_: ChangePointResult

    def __init__(
        self,
        *,
        expected_run_length: float = 250.0,
        max_run_length: int = 500,
        prior_mean: float = 0.0,
        prior_kappa: float = 1.0,
        prior_alpha: float = 1.0,
        prior_beta: float = 1.0,
        scale: float = 100.0,
        recent: int = 10,
        alarm_probability: float = 0.5,
    ) -> None:
        self.expected_run_length = expected_run_length
        self.max_run_length = max_run_length
        self.prior_mean = prior_mean
        self.prior_kappa = prior_kappa
        self.prior_alpha = prior_alpha
        self.prior_beta = prior_beta
        self.scale = scale
        self.recent = recent
        self.alarm_probability = alarm_probability

    def _check_params(self) -> None:
        if not (
            np.isfinite(self.expected_run_length) and self.expected_run_length > 1.0
        ):
            raise ValueError(
                "expected_run_length must be > 1 session "
                f"(got {self.expected_run_length!r})."
            )
        check_positive_int(self.max_run_length, "max_run_length", minimum=2)
        check_positive_int(self.recent, "recent")
        check_probability(self.alarm_probability, "alarm_probability")
        for name in ("prior_kappa", "prior_alpha", "prior_beta", "scale"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number (got {value!r}).")

    def fit(self, returns: pd.Series, y: None = None) -> OnlineChangePoints:
        """Start afresh and process ``returns``.

        Parameters
        ----------
        returns : Series of shape (n_sessions,)
            Daily spread returns (fractions), indexed by session.
        y : None
            Ignored.

        Returns
        -------
        OnlineChangePoints
        """
        for attribute in ("state_", "frame_", "run_length_probabilities_", "result_"):
            if hasattr(self, attribute):
                delattr(self, attribute)
        return self.partial_fit(returns)

    def partial_fit(self, returns: pd.Series, y: None = None) -> OnlineChangePoints:
        """Process the next sessions, continuing from the stored posterior.

        Parameters
        ----------
        returns : Series
            The sessions after the last one seen.
        y : None
            Ignored.

        Returns
        -------
        OnlineChangePoints
        """
        self._check_params()
        started = hasattr(self, "state_")
        series, values, first = check_returns_series(returns, "returns")
        if started:
            if first > 0:
                raise ValueError(
                    "returns has missing values at the start of a later batch; "
                    "only the first batch may begin with NaN."
                )
            if series.index[0] <= self.frame_.index[-1]:
                raise ValueError(
                    f"returns must start after the last session seen "
                    f"({self.frame_.index[-1].date()}); got {series.index[0].date()}."
                )
        prior = (
            float(self.prior_mean),
            float(self.prior_kappa),
            float(self.prior_alpha),
            float(self.prior_beta),
        )
        size = int(self.max_run_length)
        state: tuple[Any, ...] = (
            self.state_ if started else _initial_state(size, *prior)
        )
        x = kernel_input(values[first:] * float(self.scale))
        out = _bocpd(x, 1.0 / float(self.expected_run_length), *prior, size, *state)
        probs: FloatArray = out[0]
        self.state_ = tuple(out[1:])
        frame = run_length_frame(
            probs, series.index[first:], int(self.recent), float(self.alarm_probability)
        )
        if started:
            self.frame_ = pd.concat([self.frame_, frame])
            self.run_length_probabilities_ = np.vstack(
                [self.run_length_probabilities_, probs]
            )
        else:
            self.frame_ = frame
            self.run_length_probabilities_ = probs
        self.result_ = ChangePointResult(
            run_length_probabilities=self.run_length_probabilities_, frame=self.frame_
        )
        return self
