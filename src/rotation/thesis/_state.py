"""Pillar status over time: rule, hysteresis band and minimum persistence.

The status at date t depends only on the metric's values up to t, so the
daily status series is causal and equals as-of evaluation at every date.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rotation._arrays import kernel_input
from rotation._typing import FloatArray, IntArray
from rotation.thesis._rule import Rule

__all__ = ["FAILS", "HOLDS", "NO_DATA", "pillar_states"]

HOLDS = 1
FAILS = 0
NO_DATA = -1


def _inside_py(
    value: float, low: float, high: float, low_strict: bool, high_strict: bool
) -> bool:
    above = value > low or (not low_strict and value == low)
    below = value < high or (not high_strict and value == high)
    return above and below


# Jitted helpers are callable from plain Python too, so the Python kernel
# below and its compiled twin share this one definition.
_inside = njit(cache=True)(_inside_py)


def _pillar_states_py(
    values: FloatArray,
    low: float,
    high: float,
    low_strict: bool,
    high_strict: bool,
    band: float,
    persistence: int,
    negate: bool = False,
) -> tuple[IntArray, IntArray, IntArray]:
    n = values.shape[0]
    state = np.empty(n, dtype=np.int64)
    since = np.empty(n, dtype=np.int64)
    waiting = np.zeros(n, dtype=np.int64)
    current = -1  # NO_DATA
    start = 0
    pending = 0
    for t in range(n):
        v = values[t]
        if np.isnan(v):
            if current != -1:
                start = t
            current = -1
            pending = 0
            state[t] = current
            since[t] = start
            waiting[t] = 0
            continue
        if current == -1:
            # First value after a gap: take the strict rule at once.
            inside = _inside(v, low, high, low_strict, high_strict) != negate
            current = 1 if inside else 0
            start = t
            pending = 0
        else:
            if current == 1:
                # Hysteresis: a holding pillar keeps holding inside the band
                # (for an "outside" rule the band is negative: the interval
                # it must stay out of shrinks).
                candidate = (
                    _inside(v, low - band, high + band, low_strict, high_strict)
                    != negate
                )
            else:
                candidate = _inside(v, low, high, low_strict, high_strict) != negate
            proposed = 1 if candidate else 0
            if proposed != current:
                pending += 1
                if pending >= persistence:
                    current = proposed
                    # The flip dates from the first day of the run that caused it.
                    start = t - pending + 1
                    pending = 0
            else:
                pending = 0
        state[t] = current
        since[t] = start
        waiting[t] = pending
    return state, since, waiting


_pillar_states = njit(cache=True)(_pillar_states_py)


def pillar_states(
    values: FloatArray,
    rule: Rule,
    *,
    hysteresis: float = 0.0,
    min_persistence: int = 1,
    use_numba: bool = True,
    with_pending: bool = False,
) -> tuple[IntArray, ...]:
    r"""Daily status of a pillar from its metric values.

    Parameters
    ----------
    values : ndarray of shape (n_observations,)
        The pillar's metric, one value per session.
    rule : Rule
        The interval the value must lie in for the pillar to hold.
    hysteresis : float, default 0.0
        Width of the band (metric units) by which the interval is widened
        while the pillar holds, so small wiggles around a threshold do not
        flip it back and forth.
    min_persistence : int, default 1
        Sessions in a row the opposite condition must hold before the status
        flips (1 flips at once).
    use_numba : bool, default True
        Use the compiled kernel (False runs the identical Python kernel).
    with_pending : bool, default False
        Also return ``pending``.

    Returns
    -------
    status : ndarray of int64
        1 holds, 0 fails, -1 no data.
    since : ndarray of int64
        Position where the current status started.
    pending : ndarray of int64, only with ``with_pending``
        Sessions in a row, up to t, that proposed the opposite status without
        flipping it yet (0 to ``min_persistence - 1``): "holds (flip pending
        2/5)" on a surface.

    Notes
    -----
    With interval :math:`[a, b]` (bounds open or closed per the rule) and band
    :math:`h`, a holding pillar proposes "holds" while
    :math:`v_t \in [a - h, b + h]` and a failing one while
    :math:`v_t \in [a, b]`; the status changes after ``min_persistence``
    consecutive proposals that differ from it. An ``outside a b`` rule holds
    when :math:`v_t \notin [a, b]`; a holding pillar keeps proposing "holds"
    while :math:`v_t \notin (a + h, b - h)`.

    NaN handling: a NaN value gives status -1 (no data) and resets the
    machine; the first value after a gap sets the status by the strict rule,
    without waiting.
    """
    arr = kernel_input(values)
    kernel = _pillar_states if use_numba else _pillar_states_py
    band = -float(hysteresis) if rule.outside else float(hysteresis)
    state, since, pending = kernel(
        arr,
        float(rule.low),
        float(rule.high),
        rule.low_strict,
        rule.high_strict,
        band,
        int(min_persistence),
        rule.outside,
    )
    return (state, since, pending) if with_pending else (state, since)
