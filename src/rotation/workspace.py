"""Shell glue: from a store and a thesis file to an :class:`~rotation.analysis.Analysis`.

The report, the CLI, the dashboard and notebooks build analyses the same way:
resolve the as-of date against the store's sessions (one validation for every
surface), take the point-in-time snapshot, load the thesis file, apply the
config overrides.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rotation._source import source_digest
from rotation.analysis import Analysis, AnalysisConfig, Snapshot, Thesis, resolve_as_of

if TYPE_CHECKING:
    from rotation.data.store import Store

__all__ = [
    "DiskResults",
    "analysis_of",
    "code_version",
    "compute_in_background",
    "data_freshness",
    "load_snapshot",
    "open_analysis",
    "results_for",
    "results_key",
    "store_sessions",
    "thesis_label",
]

REFRESH_HINT = "refresh with `rotation data update`"


def data_freshness(snapshot: Snapshot, today: pd.Timestamp | None = None) -> str:
    """Say how old the data is, without stating any date after the as-of date.

    Parameters
    ----------
    snapshot : Snapshot
        Its ``data_end`` (the store's last price date) and ``as_of`` (the date
        a report or command is valid for).
    today : Timestamp, optional
        The clock (default: today); tests pin it.

    Returns
    -------
    str
        For a report on the latest data, its last date, its age in days and
        how to refresh it; for a report as of an earlier date, only that data
        after it is not used (a past report never names a later date).
    """
    as_of, data_end = snapshot.as_of, snapshot.data_end
    if as_of < data_end:
        return f"as-of report: data after {as_of.date()} is not used"
    now = pd.Timestamp.today().normalize() if today is None else today
    age = max(0, (now - data_end.normalize()).days)
    return f"data ends {data_end.date()} ({age} days ago); {REFRESH_HINT}"


def store_sessions(store: Store) -> pd.DatetimeIndex:
    """Every price date of the store, sorted."""
    dates = store._query("SELECT DISTINCT date FROM prices ORDER BY 1")
    return pd.DatetimeIndex(pd.to_datetime(dates["date"]))


def load_snapshot(
    store: Store, as_of: Any = None, *, sessions: pd.DatetimeIndex | None = None
) -> Snapshot:
    """Snapshot of ``store`` as known at the close of ``as_of`` (default: last).

    Raises
    ------
    AsOfError
        If ``as_of`` is not an ISO date or lies outside the store's sessions.
    """
    days = store_sessions(store) if sessions is None else sessions
    cut = resolve_as_of(as_of, days)
    return Snapshot(
        cut,
        lambda: store.market_data(cut),
        store.coverage(),
        data_end=pd.Timestamp(days[-1]),
        fingerprint=store.fingerprint(),
    )


@functools.cache
def code_version() -> str:
    """Return the package version and a digest of its source files (size, mtime).

    Part of every results-cache key: an edited or upgraded package never
    reads results computed by other code.
    """
    payload = f"{rotation_version()}|{source_digest()}"
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def rotation_version() -> str:
    """Return the installed version of rotation."""
    from rotation import __version__

    return __version__


def results_key(snapshot: Snapshot, thesis: Thesis, config: AnalysisConfig) -> str:
    """Key of one Analysis's results: data, as-of, thesis, settings, code."""
    parts = (
        snapshot.fingerprint,
        str(snapshot.as_of.date()),
        thesis.model_dump_json(),
        config.digest(),
        code_version(),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class DiskResults:
    """Parts of one Analysis as pickles in a folder (a :class:`ResultsCache`).

    Written atomically (temporary file, then rename); an unreadable or
    unwritable entry is a miss, never an error. The files sit next to the
    store and are trusted as the store is: only this user's runs write them.

    Parameters
    ----------
    folder : Path
        ``<store>.results/<results_key>``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Parts a child process is computing (part name -> process id).
        self.pending: dict[str, int] = {}
        #: Exit status of each child waited for (process id -> status).
        self.exit_status: dict[int, int] = {}

    def has(self, name: str) -> bool:
        """Whether part ``name`` is stored (or being computed by a child)."""
        return name in self.pending or (self.folder / f"{name}.pkl").exists()

    def get(self, name: str) -> Any:
        """Return the stored part ``name`` (``KeyError`` when absent or unreadable).

        A part a child process is computing is waited for (until it is
        stored, the child ends, or :data:`CHILD_PATIENCE_S` pass, when the
        child is stopped); a part the child did not store is absent and the
        caller computes it.
        """
        path = self.folder / f"{name}.pkl"
        if name in self.pending:
            self._wait_for(path, self.pending[name])
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            raise KeyError(name) from None

    def put(self, name: str, value: Any) -> None:
        """Store part ``name``; a failure to write is ignored (a later miss)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, self.folder / f"{name}.pkl")
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return

    def _wait_for(self, path: Path, pid: int) -> None:
        deadline = time.monotonic() + CHILD_PATIENCE_S
        while not path.exists() and not self._reap(pid, block=False):
            if time.monotonic() > deadline:  # stuck: stop it, compute here
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                self._reap(pid, block=True)
                return
            time.sleep(0.005)

    def _reap(self, pid: int, *, block: bool) -> bool:
        """Collect child ``pid`` if it ended (wait for it when ``block``)."""
        try:
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped already
            done, status = pid, self.exit_status.get(pid, 0)
        if done == 0:
            return False
        self.exit_status[pid] = status
        self.pending = {k: v for k, v in self.pending.items() if v != pid}
        return True

    def wait_all(self) -> None:
        """Wait for every child computing parts (none is left behind)."""
        for pid in set(self.pending.values()):
            self._reap(pid, block=True)


#: Seconds to wait for a part a child computes before stopping the child.
CHILD_PATIENCE_S = 120.0

#: Set to "0" to compute every part in the calling process.
PARALLEL_SWITCH = "ROTATION_PARALLEL_PARTS"


def compute_in_background(
    analysis: Analysis, parts: list[str], *, shared: tuple[str, ...] = ()
) -> bool:
    """Compute ``parts`` in a forked process, into the analysis's results cache.

    The report's sections read the parts one after the other on one core;
    on a second core, a fork of this process (sharing the loaded market,
    copy-on-write, so it never opens the store) computes the later parts
    meanwhile and stores them. :meth:`DiskResults.get` of such a part waits
    until it is stored; a part the child failed to store is computed here as
    usual. Numbers do not change: each part is computed once, by the same
    code, from the same snapshot.

    Parameters
    ----------
    analysis : Analysis
        With a :class:`DiskResults` cache (else nothing happens).
    parts : list of str
        Part names (:data:`rotation.analysis.PARTS`), computed in this order.
    shared : tuple of str, default ()
        Attributes both processes need (e.g. ``"regime_fit"``): computed
        here before the fork, so neither computes them twice.

    Returns
    -------
    bool
        True when a child was started. False off Linux (a fork without exec
        is unsafe on macOS and absent on Windows), with
        ``ROTATION_PARALLEL_PARTS=0``, without a disk cache, when every part
        is stored already, or when the fork failed (the parts are then
        computed here).
    """
    results = analysis.results
    if (
        sys.platform != "linux"
        or os.environ.get(PARALLEL_SWITCH, "1") == "0"
        or not isinstance(results, DiskResults)
    ):
        return False
    todo = [name for name in parts if not results.has(name)]
    if not todo:
        return False
    analysis.market  # noqa: B018  loaded before the fork: the child needs no store
    for name in shared:
        getattr(analysis, name)
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: compute, store, leave without running atexit
        code = 0
        try:
            for name in todo:
                if os.getppid() != parent:  # the report is gone: stop
                    break
                analysis.part(name)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    results.pending.update(dict.fromkeys(todo, pid))
    return True


#: Results of at most this many analyses are kept next to a store.
KEEP_RESULTS = 48


def results_for(
    store: Store, snapshot: Snapshot, thesis: Thesis, config: AnalysisConfig
) -> DiskResults | None:
    """Return the results cache of (store, snapshot, thesis, config) (None: memory).

    Older entries beyond :data:`KEEP_RESULTS` are removed (least recently
    written first). Any ingest changes the store's fingerprint, so results of
    older data are never read again.
    """
    if getattr(store, "memory", False) or not snapshot.fingerprint:
        return None
    root = store.path.with_name(f"{store.path.name}.results")
    _prune(root)
    return DiskResults(root / results_key(snapshot, thesis, config))


def _prune(root: Path) -> None:
    try:
        folders = sorted(
            (p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
        )
    except OSError:
        return
    for old in folders[: max(0, len(folders) - KEEP_RESULTS)]:
        shutil.rmtree(old, ignore_errors=True)


def thesis_label(path: str | Path | None) -> str:
    """How surfaces name a thesis: its file stem, or the packaged default."""
    return Path(path).stem if path else "great_rotation_2026"


def open_analysis(
    as_of: Any = None,
    thesis: str | Path | None = None,
    config: AnalysisConfig | Mapping[str, Any] | None = None,
    *,
    store: Store | str | Path | None = None,
) -> Analysis:
    """Open the store and build an :class:`Analysis` (the notebook entry point).

    Parameters
    ----------
    as_of : date-like, optional
        Default: the store's last session.
    thesis : str or Path, optional
        A thesis YAML file (default: the packaged Great 2026 Rotation).
    config : AnalysisConfig or mapping, optional
        Settings, or ``{"backtest.lookback": 63, ...}`` overrides.
    store : Store, str or Path, optional
        An open store or its path (default: the CLI's store).
    """
    from rotation.data.store import Store, open_store
    from rotation.thesis_files import load_thesis_file

    opened = store if isinstance(store, Store) else open_store(store)
    if isinstance(config, Mapping):
        config = AnalysisConfig().with_overrides(config)
    return analysis_of(
        opened, load_thesis_file(thesis), config, as_of, thesis_label(thesis)
    )


def analysis_of(
    store: Store,
    thesis: Thesis,
    config: AnalysisConfig | None,
    as_of: Any = None,
    name: str = "great_rotation_2026",
) -> Analysis:
    """Build the Analysis of ``thesis`` on ``store`` as of ``as_of``, with its cache."""
    snapshot = load_snapshot(store, as_of)
    config = config or AnalysisConfig()
    results = results_for(store, snapshot, thesis, config)
    return Analysis(snapshot, thesis, config, thesis_name=name, results=results)
