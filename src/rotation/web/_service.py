"""The dashboard's read side: the store, the thesis folder and the caches.

Everything a request can reach goes through :class:`DashboardService`: the
store is opened read-only, theses are looked up by name among the files of
one folder (never by a path from the request) and every computed result is
cached per (kind, thesis, as-of, parameters).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rotation.data.store import Store
from rotation.market import MarketData
from rotation.regimes import MarkovRegimes
from rotation.report.builder import SECTIONS, Report, SectionFailure, build_report
from rotation.report.model import ReportContext, Section
from rotation.thesis import Thesis, ThesisError, ThesisEvaluation, ThesisHistory
from rotation.web._cache import ComputeCache
from rotation.web._errors import ApiError

__all__ = ["DEFAULT_THESIS", "BuiltSection", "DashboardService"]

#: Name of the packaged default thesis (always available).
DEFAULT_THESIS = "great_rotation_2026"
_THESIS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_THESIS_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class BuiltSection:
    """One report section built for (thesis, as-of), with its failure if any."""

    section: Section
    failure: SectionFailure | None
    seconds: float


class DashboardService:
    """Read-only access to a store and a thesis folder, with cached results.

    Parameters
    ----------
    store_path : str or Path
        An existing DuckDB store (see :func:`rotation.open_store`).
    thesis_dir : str or Path, optional
        Folder whose ``*.yaml`` files are offered as theses, by file stem.
        The packaged default thesis is always offered as ``great_rotation_2026``.
    cache_size : int, default 256
        Results kept in the LRU cache.
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        thesis_dir: str | Path | None = None,
        cache_size: int = 256,
    ) -> None:
        self.store_path = Path(store_path)
        self.store = Store(self.store_path, read_only=True)
        self.thesis_dir = Path(thesis_dir).resolve() if thesis_dir else None
        if self.thesis_dir is not None and not self.thesis_dir.is_dir():
            raise FileNotFoundError(
                f"thesis_dir {str(thesis_dir)!r} is not a folder; pass a folder of "
                "YAML thesis files or leave it out to offer the default thesis only."
            )
        self.cache = ComputeCache(cache_size)
        self._bounds_lock = threading.Lock()
        self._bounds: tuple[pd.DatetimeIndex, list[str]] | None = None
        #: Bumped by :meth:`refresh`; part of every HTTP cache key.
        self.generation = 0
        self._stamps: dict[str, int] = {}

    # -- store facts ------------------------------------------------------------
    def refresh(self) -> None:
        """Forget every cached result (call after the store changed)."""
        with self._bounds_lock:
            self._bounds = None
            self.generation += 1
        self.cache.clear()

    def version(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """State that invalidates replayed HTTP answers: writes and thesis edits."""
        if self.thesis_dir is None:
            return (self.generation, ())
        stamps = tuple(
            (p.name, p.stat().st_mtime_ns)
            for p in sorted(self.thesis_dir.iterdir())
            if p.suffix in _THESIS_SUFFIXES and p.is_file()
        )
        return (self.generation, stamps)

    def _facts(self) -> tuple[pd.DatetimeIndex, list[str]]:
        with self._bounds_lock:
            if self._bounds is None:
                dates = self.store._query("SELECT DISTINCT date FROM prices ORDER BY 1")
                sessions = pd.DatetimeIndex(pd.to_datetime(dates["date"]))
                if len(sessions) == 0:
                    raise ApiError(
                        503,
                        f"the store {self.store_path.name} holds no prices; run "
                        "`rotation data update` first.",
                    )
                self._bounds = (sessions, self.store.symbols())
            return self._bounds

    @property
    def sessions(self) -> pd.DatetimeIndex:
        """Every price date of the store, sorted."""
        return self._facts()[0]

    @property
    def symbols(self) -> list[str]:
        """Every symbol with stored prices."""
        return self._facts()[1]

    @property
    def first_date(self) -> pd.Timestamp:
        """First price date of the store."""
        return pd.Timestamp(self.sessions[0])

    @property
    def last_date(self) -> pd.Timestamp:
        """Last price date of the store (the default as-of date)."""
        return pd.Timestamp(self.sessions[-1])

    def coverage(self) -> pd.DataFrame:
        """Return the store's coverage table (cached)."""
        return self.cache.get_or_compute(("coverage",), self.store.coverage)

    def market(self, as_of: pd.Timestamp) -> MarketData:
        """Point-in-time market data as known at the close of ``as_of`` (cached)."""
        return self.cache.get_or_compute(
            ("market", as_of), lambda: self.store.market_data(as_of)
        )

    def regime(
        self, as_of: pd.Timestamp
    ) -> tuple[dict[str, pd.Series], MarkovRegimes | None]:
        """Fit the report's regime model as of ``as_of``: thesis series, model (cached)."""
        from rotation.regimes import regime_inputs

        return self.cache.get_or_compute(
            ("regime", as_of),
            lambda: regime_inputs(self.market(as_of), ("rotation", "tech_leadership")),
        )

    def thesis_extra(self, thesis: Thesis, as_of: pd.Timestamp) -> dict[str, pd.Series]:
        """Return the regime series ``thesis`` reads (no fit when it reads none)."""
        labels = thesis.regime_labels()
        if not labels:
            return {}
        extra = self.regime(as_of)[0]
        return {
            f"regime_prob:{k}": extra[f"regime_prob:{k}"]
            for k in labels
            if f"regime_prob:{k}" in extra
        }

    # -- theses -----------------------------------------------------------------
    def theses(self) -> dict[str, Path | None]:
        """Offered theses: name -> file inside the thesis folder (None: packaged)."""
        found: dict[str, Path | None] = {DEFAULT_THESIS: None}
        if self.thesis_dir is None:
            return found
        for path in sorted(self.thesis_dir.iterdir()):
            if path.suffix not in _THESIS_SUFFIXES or not _THESIS_NAME.match(path.stem):
                continue
            resolved = path.resolve()
            # A symlink pointing out of the folder is not offered.
            if resolved.parent != self.thesis_dir or not resolved.is_file():
                continue
            found.setdefault(path.stem, resolved)
        return found

    def thesis_path(self, name: str) -> Path | None:
        """Return the file of thesis ``name`` (None for the packaged default).

        Raises
        ------
        ApiError
            404 listing the offered names when ``name`` is not one of them.
        """
        offered = self.theses()
        if name not in offered:
            raise ApiError(
                404,
                f"unknown thesis {name[:64]!r}; allowed: {', '.join(offered)}.",
                parameter="thesis",
                allowed=list(offered),
            )
        path = offered[name]
        if path is not None:
            # An edited thesis file invalidates every result computed from it
            # (edits are rare: dropping the whole cache keeps keys simple).
            stamp = path.stat().st_mtime_ns
            if self._stamps.setdefault(name, stamp) != stamp:
                self._stamps[name] = stamp
                self.cache.clear()
        return path

    def thesis(self, name: str) -> Thesis:
        """Load and validate thesis ``name`` (cached until its file changes)."""
        from rotation.thesis_files import load_thesis_file

        path = self.thesis_path(name)
        stamp = path.stat().st_mtime_ns if path is not None else 0

        def load() -> Thesis:
            try:
                return load_thesis_file(path)
            except ThesisError as exc:
                raise ApiError(
                    422, f"thesis {name!r} is invalid: {exc}", parameter="thesis"
                ) from exc

        return self.cache.get_or_compute(("thesis", name, stamp), load)

    def evaluation(self, name: str, as_of: pd.Timestamp) -> ThesisEvaluation:
        """Thesis ``name`` evaluated as of ``as_of`` (cached)."""
        from rotation.thesis import evaluate

        thesis = self.thesis(name)
        return self.cache.get_or_compute(
            ("evaluation", name, as_of),
            lambda: _thesis_call(
                name,
                evaluate,
                thesis,
                self.market(as_of),
                self.thesis_extra(thesis, as_of),
            ),
        )

    def history(self, name: str, as_of: pd.Timestamp) -> ThesisHistory:
        """Thesis ``name`` evaluated on every session up to ``as_of`` (cached)."""
        from rotation.thesis import history

        thesis = self.thesis(name)
        return self.cache.get_or_compute(
            ("history", name, as_of),
            lambda: _thesis_call(
                name,
                history,
                thesis,
                self.market(as_of),
                self.thesis_extra(thesis, as_of),
            ),
        )

    # -- report sections --------------------------------------------------------
    @property
    def section_ids(self) -> list[str]:
        """Ids of the report's sections, in report order."""
        return [sid for sid, _ in SECTIONS]

    def context(self, name: str, as_of: pd.Timestamp) -> ReportContext:
        """Return the report context the section builders receive."""
        path = self.thesis_path(name)
        extra, model = self.regime(as_of)
        shared = {} if model is None else {"regime_model": model}
        return ReportContext(
            market=self.market(as_of),
            as_of=as_of,
            coverage=self.coverage(),
            options={
                "thesis_path": str(path) if path is not None else None,
                "thesis_extra": extra,
                **shared,
            },
        )

    def section(self, section_id: str, name: str, as_of: pd.Timestamp) -> BuiltSection:
        """Build one report section for (thesis, as-of) (cached)."""
        target = dict(SECTIONS)[section_id]

        def build() -> BuiltSection:
            report = build_report(
                self.context(name, as_of),
                sections=[(section_id, target)],
                summary=False,  # one section at a time: the page draws its own headline
            )
            failure = report.failures[0] if report.failures else None
            return BuiltSection(report.sections[0], failure, report.timings[section_id])

        return self.cache.get_or_compute(("section", section_id, name, as_of), build)

    def report(
        self, name: str, as_of: pd.Timestamp, only: list[str] | None = None
    ) -> Report:
        """Assemble a :class:`Report` from cached sections."""
        built = [
            self.section(sid, name, as_of)
            for sid in self.section_ids
            if only is None or sid in only
        ]
        return Report(
            context=self.context(name, as_of),
            sections=tuple(b.section for b in built),
            failures=tuple(b.failure for b in built if b.failure is not None),
            timings={b.section.id: b.seconds for b in built},
        )

    def cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Cache any derived result (rendered pages, encoded JSON) under ``key``."""
        return self.cache.get_or_compute(key, compute)


def _thesis_call(
    name: str,
    func: Any,
    thesis: Thesis,
    market: MarketData,
    extra: dict[str, pd.Series],
) -> Any:
    try:
        return func(thesis, market, extra=extra)
    except ThesisError as exc:  # e.g. a basket member with no prices yet at as_of
        raise ApiError(
            422,
            f"thesis {name!r} cannot be evaluated as of {market.as_of.date()}: {exc}",
            parameter="as_of",
        ) from exc
