"""Opening the store file: the writer lock, its holder, and what a failure means.

DuckDB reports three very different situations through the same exception
types: another process holds the file (retry), the file is damaged (retrying
cannot help: rebuild it), and the operating system refuses access (choose
another path). :func:`connect` tells them apart from DuckDB's messages so that
a damaged file is never reported as "busy" after the lock timeout.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from rotation.exceptions import StoreAccessError, StoreBusyError, StoreDamagedError

__all__ = ["WriterLock", "connect", "damage_detail", "damaged_error"]

#: DuckDB's words for "another process holds the file".
_LOCK_CONFLICT = "Could not set lock"
#: DuckDB's words for a file that cannot be read as a database.
_DAMAGE_MARKERS = (
    "not a valid DuckDB database",
    "Could not read enough bytes",
    "Corrupt database",
    "checksum",
    "database file is corrupt",
    "Serialization Error",
)
#: The operating system's words for "not allowed".
_ACCESS_MARKERS = (
    "Permission denied",
    "Read-only file system",
    "Operation not permitted",
)

REBUILD_HINT = (
    "Delete it (and its .wal file) and rebuild it with "
    "`rotation data update --source bundled`, then re-ingest your own files."
)


def damage_detail(exc: BaseException) -> str | None:
    """Return DuckDB's description of a damaged file, or None if ``exc`` is another error."""
    text = str(exc)
    return text if any(marker in text for marker in _DAMAGE_MARKERS) else None


def damaged_error(path: Path, detail: str) -> StoreDamagedError:
    """Build the error for a store file DuckDB cannot read."""
    return StoreDamagedError(
        f"store {path} is damaged: DuckDB cannot read it ({detail}). {REBUILD_HINT}",
        path=str(path),
        detail=detail,
    )


def access_error(path: Path, exc: BaseException) -> StoreAccessError:
    """Build the error for a store (or directory) this user may not write."""
    return StoreAccessError(
        f"cannot write the store at {path}: {exc}. Choose a writable location "
        "with --store or $ROTATION_STORE, or open it read-only.",
        path=str(path),
        detail=str(exc),
    )


def _busy_error(
    path: Path, waited: float, holder: str | None, what: str
) -> StoreBusyError:
    who = f"held by {holder}" if holder else "holder unknown"
    return StoreBusyError(
        f"store {path} is busy: {what} ({who}); waited {waited:.1f} s. Wait for "
        "that process to finish and retry, or raise the lock timeout.",
        path=str(path),
        waited=waited,
        holder=holder,
    )


class WriterLock:
    """The file lock that serialises writer processes, naming its holder.

    The lock itself is ``<store>.lock``; the holder writes its pid, host and
    start time to ``<store>.lock.owner`` so that a waiting process can say who
    it is waiting for. A holder killed with SIGKILL leaves a stale owner file,
    which the next holder overwrites.

    Parameters
    ----------
    store_path : Path
        The DuckDB file the lock protects.
    """

    def __init__(self, store_path: Path):
        self.store_path = store_path
        self.lock_file = f"{store_path}.lock"
        self.owner_file = Path(f"{store_path}.lock.owner")
        self._lock = FileLock(self.lock_file)
        self._depth = 0

    def holder(self) -> str | None:
        """Who holds the lock, as written by the holder (None when unknown)."""
        try:
            text = self.owner_file.read_text().strip()
        except OSError:
            return None
        return text or None

    def acquire(self, timeout: float) -> None:
        """Take the lock, waiting up to ``timeout`` seconds.

        Raises
        ------
        StoreBusyError
            Another process held it for the whole ``timeout``.
        StoreAccessError
            The lock file cannot be created (read-only directory).
        """
        if self._depth:
            self._depth += 1
            return
        start = time.monotonic()
        try:
            self._lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise _busy_error(
                self.store_path,
                time.monotonic() - start,
                self.holder(),
                f"another process is writing to it (lock {self.lock_file})",
            ) from exc
        except OSError as exc:
            raise access_error(self.store_path, exc) from exc
        self._depth = 1
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        try:  # best effort: naming the holder is a courtesy, not a requirement
            self.owner_file.write_text(
                f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n"
            )
        except OSError:
            pass

    def release(self) -> None:
        """Release one level of the lock (the owner file goes with the last)."""
        self._depth -= 1
        if self._depth:
            return
        self.owner_file.unlink(missing_ok=True)
        self._lock.release()


def connect(
    path: Path, *, read_only: bool, deadline: float, holder: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open ``path``, retrying only while another process holds the file.

    Raises
    ------
    StoreBusyError
        The file stayed locked by another process until ``deadline``
        (``time.monotonic()`` seconds).
    StoreDamagedError
        DuckDB cannot read the file; retrying would not help.
    StoreAccessError
        The operating system refuses access.
    """
    start = time.monotonic()
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            text = str(exc)
            if _LOCK_CONFLICT not in text:
                raise _classify(path, exc) from exc
            if time.monotonic() > deadline:
                raise _busy_error(
                    path,
                    time.monotonic() - start,
                    holder or _duckdb_holder(text),
                    "another process has the database file open",
                ) from exc
            time.sleep(0.05)


def _classify(path: Path, exc: duckdb.Error) -> Exception:
    text = str(exc)
    if any(marker in text for marker in _ACCESS_MARKERS):
        return access_error(path, exc)
    # Any other failure to open an existing file means DuckDB cannot read it.
    return damaged_error(path, damage_detail(exc) or text)


def _duckdb_holder(text: str) -> str | None:
    # DuckDB names the holder: "Conflicting lock is held in /usr/bin/python (PID 42)".
    marker = "Conflicting lock is held in "
    if marker not in text:
        return None
    return text.split(marker, 1)[1].split(". See also", 1)[0].strip()
