"""Ex-post dating of rotation phases: turning points of the cumulative spread.

HINDSIGHT. The dating reads the whole sample (a turning point at t is only
known once the spread has moved far enough after t), so it is the yardstick
against which the filtered estimates are scored and never an input to any of
them. Every object here says so in its name or fields (``hindsight``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation._typing import FloatArray
from rotation.regimes._validation import check_positive_int, check_returns_series

__all__ = ["PhaseDating", "date_phases", "ROTATION", "TECH_LEADERSHIP"]

ROTATION = "rotation"
TECH_LEADERSHIP = "tech_leadership"


@dataclass(frozen=True)
class PhaseDating:
    """Ex-post (hindsight) phases of a spread; see :func:`date_phases`.

    Attributes
    ----------
    turning_points : DataFrame
        One row per turning point: ``date``, ``kind`` (``"peak"`` or
        ``"trough"``) and ``level`` (the log spread index there).
    phases : DataFrame
        One row per phase between consecutive turning points: ``phase``
        (``"rotation"`` after a trough, ``"tech_leadership"`` after a peak),
        ``start`` (the session after the turning point), ``end`` (the next
        turning point), ``length`` (sessions), ``spread_return``
        (compounded) and ``complete`` (False for the phase after the last
        turning point, whose end is not known yet, and the one before the
        first).
    phase : Series
        The phase on each session (``"rotation"``/``"tech_leadership"``), NaN
        outside complete phases.
    hindsight : bool
        Always True: this is ex-post dating.
    rules : dict
        The rule's parameters.
    """

    turning_points: pd.DataFrame
    phases: pd.DataFrame
    phase: pd.Series
    rules: dict[str, float]
    hindsight: bool = True

    def indicator(self) -> pd.Series:
        """1.0 on rotation sessions, 0.0 on tech-leadership ones, NaN elsewhere."""
        out = pd.Series(np.nan, index=self.phase.index, name="rotation_phase")
        out[self.phase == ROTATION] = 1.0
        out[self.phase == TECH_LEADERSHIP] = 0.0
        return out


def date_phases(
    spread_returns: pd.Series,
    *,
    min_amplitude: float = 0.10,
    min_phase: int = 84,
    min_cycle: int = 336,
    waiver_amplitude: float = 0.20,
) -> PhaseDating:
    r"""Date rotation phases ex post (hindsight) from a daily spread.

    Parameters
    ----------
    spread_returns : Series of shape (n_sessions,)
        Daily spread returns (long leg minus short leg, fractions).
    min_amplitude : float, default 0.10
        Smallest log move of the spread index between two turning points
        (0.10: about 10%).
    min_phase : int, default 84
        Fewest sessions from one turning point to the next (84: four months,
        Pagan and Sossounov's bull/bear minimum), waived when the phase's
        move is at least ``waiver_amplitude``.
    min_cycle : int, default 336
        Fewest sessions from a peak to the next peak or a trough to the next
        trough (336: sixteen months, Pagan and Sossounov's minimum cycle).
    waiver_amplitude : float, default 0.20
        A phase moving at least this much (log) is kept however short
        (Pagan and Sossounov's 20% rule).

    Returns
    -------
    PhaseDating

    Notes
    -----
    On the log index :math:`x_t = \sum_{u \le t} \log(1 + s_u)`:

    1. candidate turning points by a zig-zag: a peak is confirmed when
       :math:`x` falls ``min_amplitude`` below its running maximum since the
       last trough, a trough when it rises ``min_amplitude`` above its running
       minimum since the last peak;
    2. censoring rules in the spirit of Bry and Boschan (1971) and Pagan and
       Sossounov (2003), applied repeatedly until nothing changes: the
       shortest phase under ``min_phase`` (unless its move reaches
       ``waiver_amplitude``), then the shortest cycle under ``min_cycle``
       (its smaller-amplitude phase), then any phase under ``min_amplitude``
       is removed with its two turning points; after each removal peaks and
       troughs are made to alternate (the higher peak, the lower trough is
       kept) and each turning point moves to the extreme of :math:`x`
       between its neighbours.

    A rotation phase runs from the session after a trough to the next peak
    (the long leg leads), a tech-leadership phase from the session after a
    peak to the next trough. The first phase (before the first turning
    point) and the last (after the last one) are incomplete: their start or
    end is not dated; ``phase`` is NaN there and the scores skip them.

    This reads the whole sample: it is hindsight, the yardstick of the
    filtered estimates, never one of their inputs.

    NaN handling: leading NaNs are skipped; a NaN after the first valid value
    raises ``ValueError``.

    References
    ----------
    Bry, G. and Boschan, C. (1971). Cyclical Analysis of Time Series:
    Selected Procedures and Computer Programs. NBER.
    Pagan, A. R. and Sossounov, K. A. (2003). A simple framework for
    analysing bull and bear markets. Journal of Applied Econometrics 18(1),
    23-46.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> drift = np.repeat([0.002, -0.002, 0.002], 300)
    >>> spread = pd.Series(drift, index=pd.bdate_range("2001-01-01", periods=900))
    >>> dating = date_phases(spread)
    >>> dating.turning_points["kind"].tolist()
    ['peak', 'trough']
    >>> dating.phases["phase"].tolist()
    ['rotation', 'tech_leadership', 'rotation']
    """
    series, values, first = check_returns_series(spread_returns, "spread_returns")
    min_phase = check_positive_int(min_phase, "min_phase")
    min_cycle = check_positive_int(min_cycle, "min_cycle")
    for name, value in (
        ("min_amplitude", min_amplitude),
        ("waiver_amplitude", waiver_amplitude),
    ):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive log move (got {value!r}).")
    index = pd.DatetimeIndex(series.index[first:])
    level = np.cumsum(np.log1p(values[first:]))
    points = _zigzag(level, float(min_amplitude))
    points = _censor(
        level, points, min_phase, min_cycle, min_amplitude, waiver_amplitude
    )
    rules = {
        "min_amplitude": float(min_amplitude),
        "min_phase": float(min_phase),
        "min_cycle": float(min_cycle),
        "waiver_amplitude": float(waiver_amplitude),
    }
    return _dating(series, index, level, points, rules)


# A turning point: (position, +1 peak / -1 trough).
_Point = tuple[int, int]


def _zigzag(level: FloatArray, amplitude: float) -> list[_Point]:
    points: list[_Point] = []
    high_at = low_at = 0
    direction = 0  # 0: undecided, +1: rising (looking for a peak), -1: falling
    for t in range(1, level.shape[0]):
        if level[t] > level[high_at]:
            high_at = t
        if level[t] < level[low_at]:
            low_at = t
        if direction >= 0 and level[high_at] - level[t] >= amplitude:
            if direction == 0 and low_at < high_at:
                points.append((low_at, -1))
            points.append((high_at, 1))
            direction, low_at = -1, t
        elif direction <= 0 and level[t] - level[low_at] >= amplitude:
            if direction == 0 and high_at < low_at:
                points.append((high_at, 1))
            points.append((low_at, -1))
            direction, high_at = 1, t
    # The undecided start's extreme is only a turning point when a confirmed
    # move follows it; drop a first point at position 0 (no phase before it).
    return [p for p in points if p[0] > 0]


def _alternate(level: FloatArray, points: list[_Point]) -> list[_Point]:
    out: list[_Point] = []
    for position, kind in sorted(points):
        if out and out[-1][1] == kind:
            if kind * level[position] > kind * level[out[-1][0]]:
                out[-1] = (position, kind)
            continue
        out.append((position, kind))
    return out


def _relocate(level: FloatArray, points: list[_Point]) -> list[_Point]:
    # Each turning point moves to the extreme of the index between its
    # neighbours (exclusive), so a removal never leaves a stale extreme.
    out = list(points)
    for i, (_, kind) in enumerate(out):
        lo = out[i - 1][0] + 1 if i > 0 else 1
        hi = out[i + 1][0] if i + 1 < len(out) else level.shape[0]
        segment = kind * level[lo:hi]
        out[i] = (lo + int(np.argmax(segment)), kind)
    return out


def _censor(
    level: FloatArray,
    points: list[_Point],
    min_phase: int,
    min_cycle: int,
    min_amplitude: float,
    waiver_amplitude: float,
) -> list[_Point]:
    while True:
        points = _relocate(level, _alternate(level, points))
        drop = _violation(level, points, min_phase, min_cycle, min_amplitude,
                          waiver_amplitude)  # fmt: skip
        if drop is None:
            return points
        points = [p for i, p in enumerate(points) if i not in drop]


def _violation(
    level: FloatArray,
    points: list[_Point],
    min_phase: int,
    min_cycle: int,
    min_amplitude: float,
    waiver_amplitude: float,
) -> tuple[int, int] | None:
    """Return the two turning points to remove next (by rule order), or None."""
    n = len(points)
    lengths = [points[i + 1][0] - points[i][0] for i in range(n - 1)]
    moves = [abs(level[points[i + 1][0]] - level[points[i][0]]) for i in range(n - 1)]
    short = [
        i for i in range(n - 1)
        if lengths[i] < min_phase and moves[i] < waiver_amplitude
    ]  # fmt: skip
    if short:
        i = min(short, key=lambda k: (lengths[k], moves[k]))
        return (i, i + 1)
    cycles = [i for i in range(n - 2) if lengths[i] + lengths[i + 1] < min_cycle]
    if cycles:
        i = min(cycles, key=lambda k: lengths[k] + lengths[k + 1])
        j = i if moves[i] <= moves[i + 1] else i + 1
        return (j, j + 1)
    small = [i for i in range(n - 1) if moves[i] < min_amplitude]
    if small:
        i = min(small, key=lambda k: moves[k])
        return (i, i + 1)
    return None


def _dating(
    series: pd.Series,
    index: pd.DatetimeIndex,
    level: FloatArray,
    points: list[_Point],
    rules: dict[str, float],
) -> PhaseDating:
    turning = pd.DataFrame(
        {
            "date": [index[p] for p, _ in points],
            "kind": ["peak" if k > 0 else "trough" for _, k in points],
            "level": [float(level[p]) for p, _ in points],
        }
    )
    # Phase i runs from the session after turning point i-1 (or the first
    # session) to turning point i (or the last session).
    starts = [0] + [p + 1 for p, _ in points]
    ends = [p for p, _ in points] + [len(index) - 1]
    offset = len(series) - len(index)
    rows = []
    labels = np.full(len(series), np.nan, dtype=object)
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if start > end:
            continue
        # Before a peak the long leg was rising: a rotation phase.
        kind = points[i][1] if i < len(points) else -points[-1][1] if points else 1
        label = ROTATION if kind > 0 else TECH_LEADERSHIP
        complete = 0 < i < len(points)
        before = level[start - 1] if start > 0 else 0.0
        rows.append(
            {
                "phase": label,
                "start": index[start],
                "end": index[end],
                "length": end - start + 1,
                "spread_return": float(np.expm1(level[end] - before)),
                "complete": complete,
            }
        )
        if complete:
            labels[offset + start : offset + end + 1] = label
    phase = pd.Series(labels, index=series.index, dtype="object", name="phase")
    return PhaseDating(
        turning_points=turning,
        phases=pd.DataFrame(rows),
        phase=phase,
        rules=rules,
    )
