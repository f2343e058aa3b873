"""Watching a thesis: what flipped since the last recorded look.

``rotation thesis watch`` evaluates each thesis on the latest data (the
Analysis's :attr:`~rotation.analysis.Analysis.thesis_check`), reads the run
it recorded last time from the store, and reports every pillar or risk whose
status changed in between. The comparison lives here, once: the CLI prints
it and records it, and the dashboard's ``/api/thesis/watch`` replays the
recorded result, so both show the same flips.

This module only turns results into records and compares records; reading
and writing the store is the shells' job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from rotation.analysis._json import to_jsonable

if TYPE_CHECKING:
    from rotation.analysis._thesis_check import ThesisCheck

__all__ = [
    "WATCH_FLIPPED_EXIT",
    "Flip",
    "ThesisWatch",
    "WatchItem",
    "WatchRun",
    "compare_runs",
    "previous_run",
    "watch_from_record",
    "watch_run",
]

#: Exit status of ``rotation thesis watch`` when anything flipped (for cron/CI).
WATCH_FLIPPED_EXIT = 4

ItemKind = Literal["pillar", "risk"]


@dataclass(frozen=True)
class WatchItem:
    """One pillar or risk trigger as one watch run saw it.

    Attributes
    ----------
    kind : {"pillar", "risk"}
    id : str
    status : str
        A pillar's ``holds``/``fails``/``no_data``; a risk's
        ``triggered``/``quiet``/``no_data``/``no_trigger``.
    value : float
        The metric (NaN without data).
    since : Timestamp or None
        First session of the current status.
    """

    kind: ItemKind
    id: str
    status: str
    value: float
    since: pd.Timestamp | None


@dataclass(frozen=True)
class WatchRun:
    """Every item of one thesis as of one date: what a watch run records.

    Attributes
    ----------
    thesis : str
        The thesis label (file stem, or the packaged default's name).
    as_of : Timestamp
        The last session the evaluation used.
    health : float
        The thesis health score then (NaN if no pillar had data).
    items : tuple of WatchItem
    """

    thesis: str
    as_of: pd.Timestamp
    health: float
    items: tuple[WatchItem, ...]

    def item(self, kind: ItemKind, item_id: str) -> WatchItem | None:
        """Return the item ``(kind, item_id)`` or None when the run lacks it."""
        for it in self.items:
            if it.kind == kind and it.id == item_id:
                return it
        return None


@dataclass(frozen=True)
class Flip:
    """One status change between two watch runs.

    Attributes
    ----------
    kind : {"pillar", "risk"}
    id : str
    from_status, to_status : str
        The status at the previous run and now (``"absent"`` for an item the
        thesis did not have then).
    value : float
        The metric now.
    previous_value : float
        The metric at the previous run.
    date : Timestamp or None
        The session the new status started (the state machine's date, so a
        flip confirmed after ``min_persistence`` sessions dates from the first
        session of the run that caused it).
    """

    kind: ItemKind
    id: str
    from_status: str
    to_status: str
    value: float
    previous_value: float
    date: pd.Timestamp | None


@dataclass(frozen=True)
class ThesisWatch:
    """One thesis watched: the run now, the run before, and what flipped.

    Attributes
    ----------
    thesis : str
    as_of : Timestamp
    previous_as_of : Timestamp or None
        The as-of date of the run compared with (None on the first run).
    first_run : bool
        True when no earlier run was recorded: nothing can have flipped.
    flips : tuple of Flip
    run : WatchRun
        What this run saw (recorded for the next one).
    """

    thesis: str
    as_of: pd.Timestamp
    previous_as_of: pd.Timestamp | None
    first_run: bool
    flips: tuple[Flip, ...]
    run: WatchRun

    @property
    def flipped(self) -> bool:
        """Whether anything flipped."""
        return bool(self.flips)

    def record(self) -> dict[str, Any]:
        """Return the JSON the store keeps for this run (read back by the dashboard)."""
        data: dict[str, Any] = to_jsonable(self)
        return data


def watch_run(check: ThesisCheck, thesis: str) -> WatchRun:
    """Turn a thesis check into the record a watch run keeps.

    Parameters
    ----------
    check : ThesisCheck
        ``analysis.thesis_check`` on the latest data.
    thesis : str
        The thesis label.
    """
    items = [
        WatchItem("pillar", p.id, p.status, float(p.value), p.since)
        for p in check.pillars
    ] + [
        WatchItem("risk", r.id, r.status, float(r.value), r.since) for r in check.risks
    ]
    return WatchRun(
        thesis, pd.Timestamp(check.as_of), float(check.health), tuple(items)
    )


def compare_runs(previous: WatchRun | None, current: WatchRun) -> ThesisWatch:
    """Return what flipped between ``previous`` and ``current``.

    A flip is any change of status of a pillar or a risk trigger, including
    to and from ``no_data``; an item new to the thesis flips from
    ``"absent"``; an item the thesis dropped is not reported. The first run
    (``previous`` None) reports nothing.
    """
    flips = []
    pairs = (
        []
        if previous is None
        else [(n, previous.item(n.kind, n.id)) for n in current.items]
    )
    for now, before in pairs:
        old_status = before.status if before is not None else "absent"
        if old_status == now.status:
            continue
        flips.append(
            Flip(
                kind=now.kind,
                id=now.id,
                from_status=old_status,
                to_status=now.status,
                value=now.value,
                previous_value=before.value if before is not None else math.nan,
                date=now.since,
            )
        )
    return ThesisWatch(
        thesis=current.thesis,
        as_of=current.as_of,
        previous_as_of=previous.as_of if previous is not None else None,
        first_run=previous is None,
        flips=tuple(flips),
        run=current,
    )


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _day(value: Any) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def _run_from(data: Mapping[str, Any]) -> WatchRun:
    return WatchRun(
        thesis=str(data["thesis"]),
        as_of=pd.Timestamp(data["as_of"]),
        health=_float(data.get("health")),
        items=tuple(
            WatchItem(
                kind=it["kind"],
                id=str(it["id"]),
                status=str(it["status"]),
                value=_float(it.get("value")),
                since=_day(it.get("since")),
            )
            for it in data.get("items", ())
        ),
    )


def watch_from_record(record: Mapping[str, Any]) -> ThesisWatch:
    """Rebuild a :class:`ThesisWatch` from the JSON of :meth:`ThesisWatch.record`."""
    flips = tuple(
        Flip(
            kind=f["kind"],
            id=str(f["id"]),
            from_status=str(f["from_status"]),
            to_status=str(f["to_status"]),
            value=_float(f.get("value")),
            previous_value=_float(f.get("previous_value")),
            date=_day(f.get("date")),
        )
        for f in record.get("flips", ())
    )
    return ThesisWatch(
        thesis=str(record["thesis"]),
        as_of=pd.Timestamp(record["as_of"]),
        previous_as_of=_day(record.get("previous_as_of")),
        first_run=bool(record.get("first_run", False)),
        flips=flips,
        run=_run_from(record["run"]),
    )


def previous_run(record: Mapping[str, Any] | None) -> WatchRun | None:
    """Return the run kept in a stored watch record (None when there is none)."""
    return None if record is None else _run_from(record["run"])
