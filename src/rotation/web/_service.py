"""The dashboard's read side: the store, the thesis folder and the caches.

Everything a request can reach goes through :class:`DashboardService`: the
store is opened read-only, theses are looked up by name among the files of
one folder (never by a path from the request) and every computed result is
cached per (kind, thesis, as-of, parameters).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation.analysis import Thesis, ThesisError
from rotation.data.store import Store
from rotation.market import MarketData
from rotation.report.builder import SECTIONS, Report, SectionFailure
from rotation.report.model import Section
from rotation.web._cache import ComputeCache
from rotation.web._errors import ApiError

if TYPE_CHECKING:
    from rotation.analysis import Analysis

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

    def fingerprint(self) -> str:
        """Return the store's data fingerprint (cached until :meth:`refresh`)."""
        return self.cache.get_or_compute(("fingerprint",), self.store.fingerprint)

    def coverage(self) -> pd.DataFrame:
        """Return the store's coverage table (cached)."""
        return self.cache.get_or_compute(("coverage",), self.store.coverage)

    def market(self, as_of: pd.Timestamp) -> MarketData:
        """Point-in-time market data as known at the close of ``as_of`` (cached)."""
        return self.cache.get_or_compute(
            ("market", as_of), lambda: self.store.market_data(as_of)
        )

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

    # -- analyses ---------------------------------------------------------------
    def analysis(
        self,
        name: str,
        as_of: pd.Timestamp,
        settings: Mapping[str, Any] | None = None,
    ) -> Analysis:
        """Return the Analysis of thesis ``name`` as of ``as_of`` (cached; parts lazy).

        ``settings`` are :class:`~rotation.analysis.AnalysisConfig` overrides
        under the same dotted names as the CLI's ``--set``.
        """
        from rotation.analysis import Analysis, AnalysisConfig, ConfigError, Snapshot

        thesis = self.thesis(name)
        try:
            config = AnalysisConfig().with_overrides(dict(settings or {}))
        except ConfigError as exc:
            raise ApiError(422, str(exc), parameter="settings") from exc
        key = ("analysis", name, as_of, config.digest())

        def build() -> Analysis:
            from rotation.workspace import results_for

            snapshot = Snapshot(
                as_of,
                lambda: self.market(as_of),
                self.coverage(),
                data_end=self.last_date,
                fingerprint=self.fingerprint(),
            )
            results = results_for(self.store, snapshot, thesis, config)
            return Analysis(snapshot, thesis, config, thesis_name=name, results=results)

        return self.cache.get_or_compute(key, build)

    # -- report sections --------------------------------------------------------
    @property
    def section_ids(self) -> list[str]:
        """Ids of the report's sections, in report order."""
        return [sid for sid, _ in SECTIONS]

    def section(self, section_id: str, name: str, as_of: pd.Timestamp) -> BuiltSection:
        """Render one report section of (thesis, as-of) from its Analysis (cached)."""
        from rotation.report.builder import build_section

        target = dict(SECTIONS)[section_id]

        def build() -> BuiltSection:
            start = time.perf_counter()
            analysis = self.analysis(name, as_of)
            section, failure = build_section(analysis, section_id, target)
            return BuiltSection(section, failure, time.perf_counter() - start)

        return self.cache.get_or_compute(("section", section_id, name, as_of), build)

    def report(
        self, name: str, as_of: pd.Timestamp, only: list[str] | None = None
    ) -> Report:
        """Assemble a :class:`Report` from cached sections (no summary when ``only``)."""
        from rotation.report.summary import summary_section

        built = [
            self.section(sid, name, as_of)
            for sid in self.section_ids
            if only is None or sid in only
        ]
        analysis = self.analysis(name, as_of)
        sections = tuple(b.section for b in built)
        if only is None:
            sections = (summary_section(analysis), *sections)
        return Report(
            analysis=analysis,
            sections=sections,
            failures=tuple(b.failure for b in built if b.failure is not None),
            timings={b.section.id: b.seconds for b in built},
        )

    def cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Cache any derived result (rendered pages, encoded JSON) under ``key``."""
        return self.cache.get_or_compute(key, compute)
