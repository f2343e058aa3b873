"""Exception and warning hierarchy.

Every error keeps its context as attributes so that callers (the CLI, the web
API, notebooks) can render it without parsing the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class RotationError(Exception):
    """Base class of every error raised by rotation."""


class RotationWarning(UserWarning):
    """Base class of every warning emitted by rotation."""


@dataclass(frozen=True)
class RowProblem:
    """One rule broken by one row of an input batch.

    Attributes
    ----------
    file : str
        The file (or batch name) the row came from.
    row : int or None
        1-based row number in the file, counting the header as row 1 where the
        file has one; ``None`` for batch-level problems.
    column : str
        The column holding the bad value.
    value : str
        The offending value, as text.
    rule : str
        The rule that was broken, in words.
    """

    file: str
    row: int | None
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "batch"
        return (
            f"{self.file}: {where}, column {self.column!r}, value {self.value!r}: "
            f"{self.rule}"
        )


class ValidationError(RotationError, ValueError):
    """A batch broke one or more validation rules and was rejected whole.

    Parameters
    ----------
    problems : sequence of RowProblem
        Every problem found (validation is lazy: all rows are checked).
    max_listed : int, default 50
        How many problems the message lists before summarising the rest.
    """

    def __init__(self, problems: Sequence[RowProblem], *, max_listed: int = 50):
        self.problems = tuple(problems)
        files = sorted({p.file for p in self.problems})
        # The message does not start with "rejected": callers prefix their own
        # verb ("rejected ...", "error: ..."), which printed "rejected rejected".
        lines = [
            f"{len(self.problems)} problem(s) in {', '.join(files)}; the batch was "
            "refused whole and nothing was written to the store."
        ]
        lines += [f"  - {p}" for p in self.problems[:max_listed]]
        if len(self.problems) > max_listed:
            lines.append(f"  ... and {len(self.problems) - max_listed} more")
        super().__init__("\n".join(lines))


class ConflictError(ValidationError):
    """Incoming values disagree with values already stored for the same key.

    Re-run the ingest with ``replace=True`` (``--replace`` on the CLI) to
    overwrite the stored values on purpose.
    """


class StoreBusyError(RotationError):
    """Another process holds the store's write lock.

    Attributes
    ----------
    path : str
        The store file.
    waited : float
        Seconds waited for the lock before giving up.
    holder : str or None
        Who holds the lock (pid, host, since when) where the holder wrote it down.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        waited: float = 0.0,
        holder: str | None = None,
    ):
        super().__init__(message)
        self.path = path
        self.waited = waited
        self.holder = holder


class StoreDamagedError(RotationError):
    """The store file exists but DuckDB cannot read it (truncated or corrupt).

    The store only holds data that can be loaded again: delete the file and
    reload (``rotation data update --source bundled``), then re-ingest your own
    files.

    Attributes
    ----------
    path : str
        The store file.
    detail : str
        DuckDB's own description of the damage.
    """

    def __init__(self, message: str, *, path: str = "", detail: str = ""):
        super().__init__(message)
        self.path = path
        self.detail = detail


class StoreAccessError(RotationError, PermissionError):
    """The store (or its directory) cannot be created or written by this user.

    Attributes
    ----------
    path : str
        The store file.
    detail : str
        The operating system's reason.
    """

    def __init__(self, message: str, *, path: str = "", detail: str = ""):
        super().__init__(message)
        self.path = path
        self.detail = detail


class UnknownSymbolError(RotationError, KeyError):
    """A symbol or series id is not in the store."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class SourceError(RotationError):
    """A live data source failed (network, quota, malformed response)."""


class DataQualityWarning(RotationWarning):
    """Suspicious data points were flagged (not dropped).

    Inspect them with ``rotation data check`` and quarantine them with
    ``rotation data quarantine`` if they are bad ticks.
    """
