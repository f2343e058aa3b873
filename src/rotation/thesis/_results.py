"""Immutable results of thesis evaluation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from rotation._typing import DateLike

__all__ = [
    "STATUS_LABELS",
    "Flip",
    "PillarStatus",
    "RiskStatus",
    "ThesisDiff",
    "ThesisEvaluation",
    "ThesisHistory",
]

Status = Literal["holds", "fails", "no_data"]
STATUS_LABELS: dict[int, str] = {1: "holds", 0: "fails", -1: "no_data"}


@dataclass(frozen=True)
class PillarStatus:
    """One pillar as of one date.

    Attributes
    ----------
    id, claim, group, expr, rule : str
        From the thesis (``expr``/``rule`` empty for a no-data pillar).
    weight : float
        Weight in the health score.
    value : float
        The metric's value (NaN without data).
    status : {"holds", "fails", "no_data"}
    distance : float
        Signed distance to the rule's boundary in metric units: positive
        inside (margin left), negative outside (move needed). NaN without data.
    since : Timestamp or None
        First session of the current status.
    reason : str
        Why there is no data (empty otherwise).
    claimed_text : str
        The source's claimed value in words.
    claimed_value : float
        The source's claimed number (NaN if none).
    pending : int
        Sessions in a row that proposed the opposite status without flipping
        it yet (``min_persistence`` not reached): a flip is pending.
    persistence : int
        The pillar's ``min_persistence``.
    """

    id: str
    claim: str
    group: str
    expr: str
    rule: str
    weight: float
    value: float
    status: Status
    distance: float
    since: pd.Timestamp | None
    reason: str = ""
    claimed_text: str = ""
    claimed_value: float = math.nan
    pending: int = 0
    persistence: int = 1

    @property
    def holds(self) -> bool:
        """Whether the pillar holds."""
        return self.status == "holds"


@dataclass(frozen=True)
class RiskStatus:
    """A risk trigger as of one date (``triggered`` means the risk is live)."""

    id: str
    description: str
    expr: str
    rule: str
    value: float
    status: Literal["triggered", "quiet", "no_data"]
    distance: float
    since: pd.Timestamp | None
    reason: str = ""


@dataclass(frozen=True)
class ThesisEvaluation:
    """A thesis evaluated as of one date.

    Attributes
    ----------
    title : str
        The thesis's title.
    as_of : Timestamp
        The last session used (nothing after it was visible).
    pillars : tuple of PillarStatus
    risks : tuple of RiskStatus
    health : float
        Weighted share of pillars that hold among those with data (risk
        triggers with a weight count as holding while quiet); NaN if none has
        data.
    """

    title: str
    as_of: pd.Timestamp
    pillars: tuple[PillarStatus, ...]
    risks: tuple[RiskStatus, ...]
    health: float

    @property
    def no_data(self) -> tuple[PillarStatus, ...]:
        """Pillars without data, shown apart from the health score."""
        return tuple(p for p in self.pillars if p.status == "no_data")

    def pillar(self, pillar_id: str) -> PillarStatus:
        """Return the status of pillar ``pillar_id``."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(
            f"no pillar {pillar_id!r}; pillars: {', '.join(p.id for p in self.pillars)}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per pillar: claim, claimed, value, rule, status, since."""
        rows = [
            {
                "id": p.id,
                "group": p.group,
                "claim": p.claim,
                "claimed": p.claimed_text,
                "claimed_value": p.claimed_value,
                "expr": p.expr,
                "value": p.value,
                "rule": p.rule,
                "status": p.status,
                "distance": p.distance,
                "since": p.since,
                "weight": p.weight,
                "reason": p.reason,
            }
            for p in self.pillars
        ]
        return pd.DataFrame(rows).set_index("id")

    def summary(self) -> str:
        """Plain-text summary (health, then one line per pillar and risk)."""
        held = sum(p.status == "holds" for p in self.pillars)
        with_data = sum(p.status != "no_data" for p in self.pillars)
        lines = [
            f"{self.title} as of {self.as_of.date()}",
            f"health {_pct(self.health)} ({held} of {with_data} pillars with data "
            f"hold; {len(self.no_data)} without data)",
        ]
        for p in self.pillars:
            value = "" if math.isnan(p.value) else f"{p.value:.4g}"
            since = "" if p.since is None else f" since {p.since.date()}"
            tail = f"  ({p.reason})" if p.reason else ""
            lines.append(
                f"  {p.status:8s} {p.id:28s} {value:>10s} {p.rule:18s}{since}{tail}"
            )
        for r in self.risks:
            value = "" if math.isnan(r.value) else f"{r.value:.4g}"
            lines.append(f"  risk {r.status:9s} {r.id:23s} {value:>10s} {r.rule}")
        return "\n".join(lines)


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.0f}%"


@dataclass(frozen=True)
class Flip:
    """A pillar whose status differs between two dates."""

    id: str
    before: str
    after: str
    value_before: float
    value_after: float
    rule: str
    flipped_on: pd.Timestamp | None


@dataclass(frozen=True)
class ThesisDiff:
    """What changed between two evaluation dates."""

    start: pd.Timestamp
    end: pd.Timestamp
    health_before: float
    health_after: float
    flips: tuple[Flip, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per flipped pillar or risk."""
        columns = [
            "id",
            "before",
            "after",
            "value_before",
            "value_after",
            "rule",
            "flipped_on",
        ]
        rows = [{c: getattr(f, c) for c in columns} for f in self.flips]
        return pd.DataFrame(rows, columns=columns).set_index("id")

    def summary(self) -> str:
        """Plain-text summary of the flips."""
        head = (
            f"{self.start.date()} -> {self.end.date()}: health "
            f"{_pct(self.health_before)} -> {_pct(self.health_after)}"
        )
        if not self.flips:
            return head + "; no pillar changed status"
        lines = [head]
        for f in self.flips:
            lines.append(
                f"  {f.id}: {f.before} -> {f.after} ({f.value_before:.4g} -> "
                f"{f.value_after:.4g}, rule {f.rule})"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class ThesisHistory:
    """A thesis evaluated on every session.

    Attributes
    ----------
    title : str
    values : DataFrame of shape (n_sessions, n_items)
        Daily metric value of each pillar and risk trigger.
    codes : DataFrame of shape (n_sessions, n_items)
        Status codes: 1 holds (or triggered), 0 fails (or quiet), -1 no data.
    since : DataFrame of shape (n_sessions, n_items)
        First session of the current status at each date.
    health : Series of shape (n_sessions,)
        Daily thesis health in [0, 1] (NaN where no pillar has data).
    coverage : Series of shape (n_sessions,)
        Share of the total weight carried by items with data each day.
    weights : Series
        Health weight per item (risks negated: they count while quiet).
    kinds : Series
        ``"pillar"`` or ``"risk"`` per item.
    rules : mapping of str to str
        Each item's rule as text.
    pending : DataFrame of shape (n_sessions, n_items), optional
        Sessions in a row proposing the opposite status, not yet flipped.
    """

    title: str
    values: pd.DataFrame
    codes: pd.DataFrame
    since: pd.DataFrame
    health: pd.Series
    coverage: pd.Series
    weights: pd.Series
    kinds: pd.Series
    rules: Mapping[str, str] = field(default_factory=dict)
    pending: pd.DataFrame | None = None

    @cached_property
    def status(self) -> pd.DataFrame:
        """Status labels ("holds"/"fails"/"no_data"; risks: triggered/quiet)."""
        out = {}
        for col in self.codes.columns:
            labels = (
                {1: "triggered", 0: "quiet", -1: "no_data"}
                if self.kinds[col] == "risk"
                else STATUS_LABELS
            )
            out[col] = self.codes[col].map(labels)
        return pd.DataFrame(out, index=self.codes.index)

    def signal(self, level: float = 0.6) -> pd.Series:
        """Daily boolean: health at or above ``level`` (False where unknown).

        Known at the close of each date; a backtest must trade it at t+1.
        """
        return (self.health >= level).fillna(False).astype(bool).rename("thesis_on")

    def diff(self, start: DateLike, end: DateLike | None = None) -> ThesisDiff:
        """Flips between the sessions on or before ``start`` and ``end``.

        Parameters
        ----------
        start, end : date-like
            ``end`` defaults to the last session.

        Returns
        -------
        ThesisDiff
            Equal to :func:`rotation.thesis.diff` (each row of a history is
            the as-of evaluation of its date).
        """
        index = self.codes.index
        p_end = len(index) - 1
        if end is not None:
            p_end = int(index.searchsorted(pd.Timestamp(end), side="right")) - 1
        p_start = int(index.searchsorted(pd.Timestamp(start), side="right")) - 1
        if p_start < 0 or p_end < 0:
            raise ValueError(
                f"start/end must be on or after the first session {index[0].date()} "
                f"(got {start!r}, {end!r})"
            )
        if p_start > p_end:
            raise ValueError(f"start {start!r} is after end {end!r}")
        labels = self.status.to_numpy()
        codes = self.codes.to_numpy()
        values = self.values.to_numpy()
        since = self.since.to_numpy()
        flips = []
        for j, col in enumerate(self.codes.columns):
            if codes[p_start, j] != codes[p_end, j]:
                flips.append(
                    Flip(
                        id=str(col),
                        before=str(labels[p_start, j]),
                        after=str(labels[p_end, j]),
                        value_before=float(values[p_start, j]),
                        value_after=float(values[p_end, j]),
                        rule=str(self.rules.get(str(col), "")),
                        flipped_on=pd.Timestamp(since[p_end, j]),
                    )
                )
        health = self.health.to_numpy()
        return ThesisDiff(
            start=pd.Timestamp(index[p_start]),
            end=pd.Timestamp(index[p_end]),
            health_before=float(health[p_start]),
            health_after=float(health[p_end]),
            flips=tuple(flips),
        )

    def to_frame(self) -> pd.DataFrame:
        """Values and status codes side by side, plus health, one row a day."""
        frame = pd.concat({"value": self.values, "status": self.codes}, axis=1)
        frame[("health", "")] = self.health
        return frame

    def flips(self) -> pd.DataFrame:
        """Every status change: date, item, from, to, value."""
        codes = self.codes.to_numpy()
        changed = np.zeros_like(codes, dtype=bool)
        changed[1:] = codes[1:] != codes[:-1]
        rows, cols = np.nonzero(changed)
        labels = self.status.to_numpy()
        return pd.DataFrame(
            {
                "date": self.codes.index[rows],
                "id": self.codes.columns[cols],
                "before": labels[rows - 1, cols],
                "after": labels[rows, cols],
                "value": self.values.to_numpy()[rows, cols],
            }
        )

    def summary(self) -> str:
        """Plain-text summary: span, latest health, share of time each holds."""
        valid = self.health.dropna()
        lines = [
            f"{self.title}: {len(self.health)} sessions "
            f"{self.health.index[0].date()} to {self.health.index[-1].date()}"
        ]
        if len(valid):
            lines.append(
                f"health: last {_pct(float(valid.iloc[-1]))}, mean "
                f"{_pct(float(valid.mean()))}"
            )
        for col in self.codes.columns:
            c = self.codes[col]
            data = (c >= 0).sum()
            share = float((c == 1).sum() / data) if data else math.nan
            good = "triggered" if self.kinds[col] == "risk" else "holds"
            lines.append(
                f"  {col:28s} {self.kinds[col]:6s} {good} {_pct(share)} of "
                f"{data} sessions with data"
            )
        return "\n".join(lines)
